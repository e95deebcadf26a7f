import crypto from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { TestClient, fieldError, inputValue } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { db } from "../../../../src/db/knex";
import { findUserById } from "../../../../src/db/users";

const VALID = { display_name: "Ana Lima", bio: "Builds platforms.", link_1: "https://ana.example.org/", link_2: "", link_3: "", link_4: "", profile_public: "on" };

describe("profile settings and the public profile", () => {
  const t = useTestApp();

  it("saves display name, bio, links and the public toggle, and shows them again", async () => {
    const user = await buildUser({ username: "ana-lima" });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", { ...VALID, link_3: "http://blog.example.org/posts?x=1" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/settings/profile");
    const page = await client.get("/settings/profile");
    assert.match(page.html, /Your profile has been saved\./);
    assert.equal(inputValue(page.html, "display_name"), "Ana Lima");
    assert.match(page.html, /<textarea[^>]*name="bio"[^>]*>Builds platforms\.<\/textarea>/);
    // Blank slots are skipped: the two links fill the first two inputs.
    assert.equal(inputValue(page.html, "link_1"), "https://ana.example.org/");
    assert.equal(inputValue(page.html, "link_2"), "http://blog.example.org/posts?x=1");
    assert.match(page.html, /name="profile_public" value="on"[^>]*checked/);
    const row = await findUserById(user.id);
    assert.deepEqual(row!.links, ["https://ana.example.org/", "http://blog.example.org/posts?x=1"]);
    assert.equal(row!.profile_public, true);
    const events = await db("security_events").where({ user_id: user.id, action: "profile.updated" });
    assert.equal(events.length, 1);
  });

  it("saves a link typed without a scheme with https:// in front", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", { ...VALID, link_1: "example.com", link_2: "www.example.org/ana?tab=repos" });
    assert.equal(res.status, 302);
    const row = await findUserById(user.id);
    assert.deepEqual(row!.links, ["https://example.com/", "https://www.example.org/ana?tab=repos"]);
    assert.equal(inputValue((await client.get("/settings/profile")).html, "link_1"), "https://example.com/");
  });

  it("refuses bad input with a message beside each field and keeps what was typed", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ display_name: "x".repeat(65) }, "display_name", /at most 64 characters/],
      [{ display_name: "Ana\u202eLima" }, "display_name", /letters, digits, spaces and punctuation/],
      [{ bio: "é".repeat(161) }, "bio", /at most 160 characters/],
      [{ link_1: "javascript:alert(1)" }, "link_1", /Enter a web address/],
      [{ link_2: "ftp://files.example.org" }, "link_2", /Enter a web address/],
      [{ link_3: "mailto:ana@example.org" }, "link_3", /Enter a web address/],
      [{ link_4: "https://user:pass@example.org" }, "link_4", /Enter a web address/],
      [{ link_1: `https://example.org/${"a".repeat(300)}` }, "link_1", /at most 300 characters/],
      [{ profile_public: "yes" }, "profile_public", /Tick the box/],
    ];
    for (const [fields, name, message] of cases) {
      const res = await client.submit("/settings/profile", { ...VALID, ...fields });
      assert.equal(res.status, 422, name);
      if (name === "bio") assert.match(res.html, /id="field-bio-error">[^<]*at most 160 characters/);
      else if (name === "profile_public") assert.match(res.html, /id="field-profile_public-error">Tick the box/);
      else assert.match(fieldError(res.html, name) ?? "", message, name);
      if (name.startsWith("link_")) assert.equal(inputValue(res.html, name), fields[name]!.replace(/&/g, "&amp;"));
    }
    // Exactly 160 characters (counted as characters, not bytes) is fine.
    const ok = await client.submit("/settings/profile", { ...VALID, bio: "é".repeat(160) });
    assert.equal(ok.status, 302);
    const row = await findUserById(user.id);
    assert.equal(row!.bio, "é".repeat(160));
  });

  it("ignores fields that are not on the form (no mass assignment)", async () => {
    const user = await buildUser({ username: "mass-ana" });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", {
      ...VALID, email: "attacker@example.test", username: "attacker", id: "999", password_hash: "x",
      email_confirmed_at: "", created_at: "2000-01-01", links: "https://evil.example",
    });
    assert.equal(res.status, 302);
    const row = await findUserById(user.id);
    assert.equal(row!.email, user.email);
    assert.equal(row!.username, "mass-ana");
    assert.equal(row!.password_hash, user.password_hash);
    assert.ok(row!.email_confirmed_at);
    assert.deepEqual(row!.links, ["https://ana.example.org/"]);
    assert.equal(row!.created_at.getTime(), user.created_at.getTime());
  });

  it("shows HTML in the display name, bio and links as text, on both pages", async () => {
    const user = await buildUser({ username: "xss-ana" });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", {
      ...VALID,
      display_name: `<script>alert(1)</script>`,
      bio: `"><img src=x onerror=alert(1)>`,
      link_1: `https://example.org/"><script>alert(2)</script>`,
    });
    assert.equal(res.status, 302);
    for (const path of ["/settings/profile", "/u/xss-ana"]) {
      const page = await client.get(path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.html, /<script>alert/, path);
      assert.doesNotMatch(page.html, /<img src=x/, path);
      assert.match(page.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
    }
    const profile = await new TestClient(t.baseUrl).get("/u/xss-ana");
    assert.match(profile.html, /&#34;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
    // The URL parser percent-encodes the quote and brackets, so the link cannot break out of href.
    assert.match(profile.html, /href="https:\/\/example\.org\/%22%3E%3Cscript%3Ealert\(2\)%3C\/script%3E" rel="nofollow ugc noopener"/);
  });

  it("shows a public profile to everyone, without the email address", async () => {
    const user = await buildUser({ username: "pub-ana", email: "pub-ana@example.test" });
    const client = await loginAs(t.baseUrl, user);
    await client.submit("/settings/profile", { ...VALID, link_2: "https://code.example.org/ana" });
    const page = await new TestClient(t.baseUrl).get("/u/PUB-ANA");
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1[^>]*>Ana Lima<\/h1>/);
    assert.match(page.html, /@pub-ana/);
    assert.match(page.html, /Builds platforms\./);
    assert.match(page.html, /<a href="https:\/\/ana\.example\.org\/" rel="nofollow ugc noopener">ana\.example\.org<\/a>/);
    assert.match(page.html, /<a href="https:\/\/code\.example\.org\/ana" rel="nofollow ugc noopener">code\.example\.org\/ana<\/a>/);
    assert.match(page.html, /class="avatar__initials">AL</);
    assert.doesNotMatch(page.html, /pub-ana@example\.test/);
  });

  it("keeps the Gravatar image, and with it a hash of the address, off the public profile until its owner turns it on", async () => {
    const user = await buildUser({ username: "hash-ana", email: "Hash-Ana@example.test" });
    // What an attacker computes for every address they know, to find whose profile this is.
    const hash = crypto.createHash("sha256").update("hash-ana@example.test").digest("hex");
    const client = await loginAs(t.baseUrl, user);
    await client.submit("/settings/profile", VALID);
    const hidden = await new TestClient(t.baseUrl).get("/u/hash-ana");
    assert.equal(hidden.status, 200);
    assert.ok(!hidden.html.includes(hash), "no hash of the address by default");
    assert.doesNotMatch(hidden.html, /gravatar\.com\/avatar/);
    assert.match(hidden.html, /class="avatar__initials">AL</);
    // The owner still sees their own Gravatar in settings, with the choice explained.
    const settings = await client.get("/settings/profile");
    assert.ok(settings.html.includes(hash));
    assert.doesNotMatch(settings.html, /name="gravatar_public" value="on"[^>]*checked/);

    // Gravatar chosen as the avatar: its owner sees it in the header; others still see the initials.
    await client.submit("/settings/profile", { ...VALID, avatar: "gravatar" });
    assert.ok((await client.get("/")).html.includes(`src="https://www.gravatar.com/avatar/${hash}?s=160&amp;d=404"`));
    assert.ok(!(await new TestClient(t.baseUrl).get("/u/hash-ana")).html.includes(hash), "chosen but not shown to others");

    await client.submit("/settings/profile", { ...VALID, avatar: "gravatar", gravatar_public: "on" });
    assert.match((await client.get("/settings/profile")).html, /name="gravatar_public" value="on"[^>]*checked/);
    const shown = await new TestClient(t.baseUrl).get("/u/hash-ana");
    assert.ok(shown.html.includes(`src="https://www.gravatar.com/avatar/${hash}?s=160&amp;d=404"`));
    // Saving the profile without the box turns it off again.
    await client.submit("/settings/profile", { ...VALID, avatar: "gravatar" });
    assert.ok(!(await new TestClient(t.baseUrl).get("/u/hash-ana")).html.includes(hash));
  });

  it("answers 404 for private profiles, unconfirmed accounts and unknown names", async () => {
    const priv = await buildUser({ username: "private-ana" });
    const unconfirmed = await buildUser({ username: "new-ana", confirmed: false });
    await db("users").where({ id: unconfirmed.id }).update({ profile_public: true });
    const client = await loginAs(t.baseUrl, priv);
    await client.submit("/settings/profile", { ...VALID, profile_public: "" });
    for (const path of ["/u/private-ana", "/u/new-ana", "/u/nobody-at-all"]) {
      const res = await new TestClient(t.baseUrl).get(path);
      assert.equal(res.status, 404, path);
    }
    // Signed in to another account, it is still the same 404.
    const other = await loginAs(t.baseUrl, await buildUser({ username: "other-ana" }));
    assert.equal((await other.get("/u/private-ana")).status, 404);
    // Its owner sees a preview, marked as theirs alone.
    const own = await client.get("/u/private-ana");
    assert.equal(own.status, 200);
    assert.match(own.html, /Only you can see this\./);
    assert.match(own.headers.get("cache-control") ?? "", /no-store/, "the preview is kept by no cache");
    await client.submit("/settings/profile", VALID);
    assert.equal((await new TestClient(t.baseUrl).get("/u/private-ana")).status, 200);
    assert.doesNotMatch((await client.get("/u/private-ana")).html, /Only you can see this/, "a public profile is no preview");
  });

  it("requires sign-in and the CSRF token", async () => {
    const anonymous = new TestClient(t.baseUrl);
    const page = await anonymous.get("/settings/profile");
    assert.equal(page.status, 302);
    assert.match(page.location!, /^\/login\?next=/);
    assert.equal((await anonymous.postRaw("/settings/profile", VALID)).status, 403);
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const forged = await client.postRaw("/settings/profile", VALID);
    assert.equal(forged.status, 403);
    assert.equal((await findUserById(user.id))!.display_name, "");
  });
});
