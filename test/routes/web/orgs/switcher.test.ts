import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg } from "../../../helpers/orgs";

describe("organization switcher", () => {
  const t = useTestApp();

  it("heads every organization page with its name and lists only the person's other organizations", async () => {
    const ana = await buildUser();
    const acme = await buildOrg(ana, { slug: "acme-switch", name: "Acme <Switch>" });
    const beta = await buildOrg(ana, { slug: "beta-switch", name: "Beta" });
    const outsider = await buildUser();
    const secret = await buildOrg(outsider, { slug: "secret-switch", name: "Secret" });
    const client = await loginAs(t.baseUrl, ana);
    for (const path of ["", "/members", "/teams"]) {
      const page = await client.get(`/orgs/${acme.slug}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(page.html, /<h1 class="org-header__name"><a href="\/orgs\/acme-switch">Acme &lt;Switch&gt;<\/a>/, `${path}: the name, escaped, is the heading`);
      const switcher = /<details class="org-switcher">([\s\S]*?)<\/details>/.exec(page.html)?.[1] ?? "";
      assert.match(switcher, /href="\/orgs\/beta-switch"/, path);
      assert.doesNotMatch(switcher, /href="\/orgs\/acme-switch"/, `${path}: not the organization on screen`);
      assert.doesNotMatch(switcher, /secret-switch/, `${path}: never an organization the person is not in`);
      assert.match(switcher, /href="\/orgs\/new"/);
    }
    // A member of one organization only is told so.
    const bob = await buildUser();
    await addMember(secret, bob, "member");
    const only = await (await loginAs(t.baseUrl, bob)).get(`/orgs/${secret.slug}`);
    assert.match(only.html, /You are in no other organization\./);
    assert.doesNotMatch(only.html, new RegExp(`href="/orgs/(${acme.slug}|${beta.slug})"`));
  });
});
