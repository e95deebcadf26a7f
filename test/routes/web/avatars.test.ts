import crypto from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProviderName } from "../../../src/config";
import { db } from "../../../src/db/knex";
import { insertIdentity, listIdentitiesForUser } from "../../../src/db/identities";
import { findUserByEmail, findUserById } from "../../../src/db/users";
import { useTestApp } from "../../helpers/app";
import { TestClient, csrfTokenFor, fieldError } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg } from "../../helpers/orgs";
import { useProviderEmulators, viaProvider } from "../../helpers/providers";

/** The picture on the header's avatar (the account menu), or null when it shows the initials alone. */
function headerPicture(html: string): string | null {
  const m = /<summary[^>]*>\s*<span class="avatar[^"]*"[^>]*>\s*<span class="avatar__initials">[^<]*<\/span>\s*(?:<img src="([^"]*)"[^>]*>)?/.exec(html);
  assert.ok(m, "the header has an avatar");
  return m[1] ? m[1].replace(/&amp;/g, "&") : null;
}

/** The img tag showing `url`, or undefined. */
function imgOf(html: string, url: string): string | undefined {
  return html.match(new RegExp(`<img src="${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/&/g, "&amp;")}"[^>]*>`))?.[0];
}

const PROVIDERS: ProviderName[] = ["github", "gitlab", "atlassian", "google"];

describe("avatars: provider pictures, Gravatar and initials", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  for (const provider of PROVIDERS) {
    it(`${provider}: sign-up stores the provider's picture, which shows in the header, the members list and the public profile`, async () => {
      const emulator = emu.byName[provider];
      const login = `pic-${provider}`;
      const client = new TestClient(t.baseUrl);
      const res = await viaProvider(client, emulator, { login, name: "Pia Cole", email: `${login}@example.test`, emailVerified: true }, { page: "/signup" });
      assert.equal(res.status, 302);
      const user = (await findUserByEmail(`${login}@example.test`))!;
      const [identity] = await listIdentitiesForUser(user.id);
      assert.ok(identity?.avatar_url?.startsWith(`${emulator.url}/`), `stored ${identity?.avatar_url}`);
      const picture = identity!.avatar_url!;
      // The emulator serves the picture itself, as the real provider's image host would.
      const image = await fetch(picture);
      assert.equal(image.headers.get("content-type"), "image/png");

      const home = await client.get("/");
      assert.equal(headerPicture(home.html), picture);
      const tag = imgOf(home.html, picture)!;
      assert.match(tag, /referrerpolicy="no-referrer"/);
      assert.match(tag, /width="30" height="30"/);
      assert.match(tag, /alt=""/, "beside the name it is decoration");
      assert.ok(imgOf((await client.get("/settings/sessions")).html, picture), "the sessions page says whose they are");

      // Another member of an organization sees it in the members list.
      const org = await buildOrg(user, { name: `Pictures ${provider}` });
      const viewer = await buildUser();
      await addMember(org, viewer, "member");
      const members = await (await loginAs(t.baseUrl, viewer)).get(`/orgs/${org.slug}/members`);
      assert.equal(members.status, 200);
      assert.ok(imgOf(members.html, picture), "the members list shows the picture");

      // And anyone sees it on the public profile, labelled.
      await db("users").where({ id: user.id }).update({ profile_public: true });
      const profile = await new TestClient(t.baseUrl).get(`/u/${user.username}`);
      assert.equal(profile.status, 200);
      assert.match(imgOf(profile.html, picture)!, /alt="Avatar of Pia Cole" width="120" height="120"/);
    });
  }

  it("each sign-in through the provider refreshes the stored picture", async () => {
    const emulator = emu.byName.github;
    const person = { login: "pic-refresh", name: "", email: "pic-refresh@example.test", emailVerified: true };
    await viaProvider(new TestClient(t.baseUrl), emulator, person, { page: "/signup" });
    const user = (await findUserByEmail("pic-refresh@example.test"))!;
    emulator.avatarOverride = `${emulator.url}/avatars/u/424242?v=5`;
    try {
      const client = new TestClient(t.baseUrl);
      assert.equal((await viaProvider(client, emulator, person)).status, 302);
      assert.equal((await listIdentitiesForUser(user.id))[0]!.avatar_url, `${emulator.url}/avatars/u/424242?v=5`);
      assert.equal(headerPicture((await client.get("/")).html), `${emulator.url}/avatars/u/424242?v=5`);
      // A provider that stops sending a picture takes it away on the next sign-in.
      emulator.avatarOverride = null;
      await viaProvider(new TestClient(t.baseUrl), emulator, person);
      assert.equal((await listIdentitiesForUser(user.id))[0]!.avatar_url, null);
    } finally {
      emulator.avatarOverride = undefined;
    }
  });

  it("ignores a provider picture that is not https on the provider's avatar host", async () => {
    const emulator = emu.byName.gitlab;
    const refused = [
      "http://gitlab.com/uploads/-/system/user/avatar/1/avatar.png",
      "https://tracker.example/pixel.png",
      "javascript:alert(1)",
      "data:image/png;base64,iVBORw0KGgo=",
      `${emulator.url.replace("http://", "http://user:pass@")}/uploads/-/system/user/avatar/1/avatar.png`,
    ];
    for (const [i, url] of refused.entries()) {
      emulator.avatarOverride = url;
      try {
        const login = `pic-bad-${i}`;
        const client = new TestClient(t.baseUrl);
        await viaProvider(client, emulator, { login, name: "", email: `${login}@example.test`, emailVerified: true }, { page: "/signup" });
        const user = (await findUserByEmail(`${login}@example.test`))!;
        assert.equal((await listIdentitiesForUser(user.id))[0]!.avatar_url, null, url);
        const home = await client.get("/");
        assert.equal(headerPicture(home.html), null, `${url}: the initials show`);
      } finally {
        emulator.avatarOverride = undefined;
      }
    }
  });

  it("lets the person choose a linked identity's picture, their Gravatar or their initials", async () => {
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.github, { login: "pic-chooser", name: "Cho Oser", email: "pic-chooser@example.test", emailVerified: true }, { page: "/signup" });
    const user = (await findUserByEmail("pic-chooser@example.test"))!;
    await viaProvider(client, emu.byName.google, { login: "pic-chooser-g", email: "elsewhere@example.test", emailVerified: true }, { page: "/settings/identities", intent: "link" });
    const [github, google] = await listIdentitiesForUser(user.id);
    assert.ok(github && google && google.provider === "google");

    // The oldest identity's picture until the person chooses.
    assert.equal(headerPicture((await client.get("/")).html), github.avatar_url);
    const settings = await client.get("/settings/profile");
    assert.match(settings.html, new RegExp(`name="avatar" value="identity-${github.id}" checked`));
    assert.match(settings.html, new RegExp(`name="avatar" value="identity-${google.id}" >`));

    const org = await buildOrg(user);
    const viewer = await buildUser();
    await addMember(org, viewer, "member");
    const viewerClient = await loginAs(t.baseUrl, viewer);

    const save = (avatar: string) => client.submit("/settings/profile", { display_name: "Cho Oser", bio: "", link_1: "", link_2: "", link_3: "", link_4: "", avatar });
    assert.equal((await save(`identity-${google.id}`)).status, 302);
    assert.equal(headerPicture((await client.get("/")).html), google.avatar_url);
    assert.ok(imgOf((await viewerClient.get(`/orgs/${org.slug}/members`)).html, google.avatar_url!));
    assert.deepEqual(await db("security_events").where({ user_id: user.id, action: "profile.updated" }).pluck("details"), [{ fields: ["avatar_identity_id"] }]);

    // Gravatar: its owner sees it; other members see the initials unless it is shown to others.
    const gravatar = `https://www.gravatar.com/avatar/${crypto.createHash("sha256").update("pic-chooser@example.test").digest("hex")}?s=160&d=404`;
    await save("gravatar");
    assert.equal(headerPicture((await client.get("/")).html), gravatar);
    const hidden = await viewerClient.get(`/orgs/${org.slug}/members`);
    assert.ok(!hidden.html.includes("gravatar.com/avatar"), "no hash of the address for other members");
    await client.submit("/settings/profile", { display_name: "Cho Oser", avatar: "gravatar", gravatar_public: "on" });
    assert.ok(imgOf((await viewerClient.get(`/orgs/${org.slug}/members`)).html, gravatar));

    // Initials: no picture anywhere.
    await save("initials");
    assert.equal(headerPicture((await client.get("/")).html), null);
    const members = await viewerClient.get(`/orgs/${org.slug}/members`);
    assert.ok(!imgOf(members.html, github.avatar_url!) && !imgOf(members.html, google.avatar_url!) && !members.html.includes("gravatar.com/avatar"));
    assert.match((await client.get("/settings/profile")).html, /name="avatar" value="initials" checked/);
  });

  it("refuses someone else's identity as the picture, and falls back when the chosen one is disconnected", async () => {
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.atlassian, { login: "pic-fallback", email: "pic-fallback@example.test", emailVerified: true }, { page: "/signup" });
    const user = (await findUserByEmail("pic-fallback@example.test"))!;
    await viaProvider(client, emu.byName.gitlab, { login: "pic-fallback-gl" }, { page: "/settings/identities", intent: "link" });
    const [atlassian, gitlab] = await listIdentitiesForUser(user.id);
    const stranger = await buildUser();
    const theirs = await insertIdentity({ user_id: stranger.id, provider: "github", provider_user_id: "9001", provider_username: "stranger", avatar_url: "https://avatars.githubusercontent.com/u/9001?v=4" });

    const refused = await client.submit("/settings/profile", { display_name: "", avatar: `identity-${theirs.id}` });
    assert.equal(refused.status, 422);
    assert.equal(fieldError(refused.html, "avatar"), "Choose one of the pictures listed.");
    const bogus = await client.submit("/settings/profile", { display_name: "", avatar: "https://tracker.example/pixel.png" });
    assert.equal(bogus.status, 422);
    assert.equal(fieldError(bogus.html, "avatar"), "Choose one of the pictures listed.");
    assert.equal((await findUserById(user.id))!.avatar_identity_id, null, "nothing written");

    await client.submit("/settings/profile", { display_name: "", avatar: `identity-${gitlab!.id}` });
    assert.equal(headerPicture((await client.get("/")).html), gitlab!.avatar_url);
    await client.submit(`/settings/identities/${gitlab!.id}/delete`, {});
    assert.equal((await findUserById(user.id))!.avatar_identity_id, null, "the choice goes with the identity");
    assert.equal(headerPicture((await client.get("/")).html), atlassian!.avatar_url, "the remaining identity's picture shows");
  });

  it("a choice racing with the disconnect of its identity ends in a consistent row, never an error", async () => {
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.google, { login: "pic-race", email: "pic-race@example.test", emailVerified: true }, { page: "/signup" });
    const user = (await findUserByEmail("pic-race@example.test"))!;
    for (let round = 0; round < 3; round++) {
      await viaProvider(client, emu.byName.github, { login: `pic-race-${round}` }, { page: "/settings/identities", intent: "link" });
      const github = (await listIdentitiesForUser(user.id)).find((i) => i.provider === "github")!;
      const [profilePage, unlinkPage] = await Promise.all([client.get("/settings/profile"), client.get(`/settings/identities/${github.id}/delete`)]);
      const [chose, unlinked] = await Promise.all([
        client.postRaw("/settings/profile", { _csrf: csrfTokenFor(profilePage.html, "/settings/profile"), display_name: "", avatar: `identity-${github.id}` }),
        client.postRaw(`/settings/identities/${github.id}/delete`, { _csrf: csrfTokenFor(unlinkPage.html, `/settings/identities/${github.id}/delete`) }),
      ]);
      assert.ok([302, 422].includes(chose.status), `the choice answered ${chose.status}`);
      assert.equal(unlinked.status, 302);
      assert.equal((await findUserById(user.id))!.avatar_identity_id, null, "no choice of a gone identity");
      assert.equal(headerPicture((await client.get("/")).html), (await listIdentitiesForUser(user.id))[0]!.avatar_url);
    }
  });

  it("lets images come only from this server, Gravatar and the configured providers' avatar origins", async () => {
    const res = await new TestClient(t.baseUrl).get("/login");
    const directive = res.headers.get("content-security-policy")!.split(";").map((d) => d.trim()).find((d) => d.startsWith("img-src "))!;
    const sources = directive.split(/\s+/).slice(1);
    assert.ok(!sources.includes("https:") && !sources.includes("*"), directive);
    for (const provider of PROVIDERS) assert.ok(sources.includes(emu.byName[provider].url), `${provider}'s emulator origin: ${directive}`);
    for (const host of ["'self'", "https://www.gravatar.com", "https://secure.gravatar.com"]) assert.ok(sources.includes(host), `${host}: ${directive}`);
  });
});
