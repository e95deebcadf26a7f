import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { assertFitsPhone, useBrowser } from "../helpers/browser";
import { useTestDns } from "../helpers/dns-server";
import { buildUser } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";

describe("verified domains and joining by domain in a real browser", () => {
  const { dns, env } = useTestDns();
  const t = useTestApp(env);
  const b = useBrowser(t);

  it("verifies a domain by its TXT record; a person at the domain asks to join and an owner approves", async () => {
    const owner = await buildUser({ username: "olivia" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Platform" });
    const o = await b.signedInPage(owner);
    await o.goto("/orgs/acme/settings");
    await o.getByRole("link", { name: "Manage SSO and domains" }).click();
    await o.getByRole("heading", { name: "Single sign-on and domains" }).waitFor();
    await o.getByLabel("Add a domain").fill("Acme.test");
    await o.getByRole("button", { name: "Add domain" }).click();
    await o.getByText("Added acme.test. Publish its TXT record, then press “Verify”.").waitFor();
    const name = await o.getByTestId("record-name").textContent();
    const value = await o.getByTestId("record-value").textContent();
    assert.equal(name, "_gatehouse-challenge.acme.test");
    await b.shootEveryWay(o, "org-domains-unverified");
    await assertFitsPhone(o);

    await o.getByRole("button", { name: "Verify acme.test" }).click();
    await o.getByText(/No TXT record found at _gatehouse-challenge\.acme\.test/).waitFor();
    dns.set(name!, [value!]);
    await o.getByRole("button", { name: "Verify acme.test" }).click();
    await o.getByText("acme.test is verified.").waitFor();
    await o.getByLabel(/They can ask to join/).check();
    await o.getByRole("button", { name: "Save join policy" }).click();
    await o.getByText(/can now ask to join/).waitFor();
    await b.shootEveryWay(o, "org-domains-verified");

    const alice = await buildUser({ username: "alice", email: "alice@acme.test" });
    const a = await b.signedInPage(alice);
    await a.goto("/welcome/organization");
    await b.shootEveryWay(a, "org-domains-welcome");
    await assertFitsPhone(a);
    await a.getByRole("button", { name: "Ask to join Acme Platform" }).click();
    await a.getByText("You asked to join Acme Platform.", { exact: false }).waitFor();
    await a.getByText("Request pending").waitFor();

    await o.goto("/orgs/acme");
    await o.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Join requests" }).click();
    await o.getByText("alice@acme.test", { exact: false }).waitFor();
    await b.shootEveryWay(o, "org-domains-requests");
    await assertFitsPhone(o);
    await o.getByRole("button", { name: "Approve alice" }).click();
    await o.getByText("alice is now a member of Acme Platform.").waitFor();
    assert.equal((await db("memberships").where({ organization_id: org.id, user_id: alice.id }).first())?.role, "member");

    await a.goto("/orgs/acme");
    await a.getByRole("heading", { name: "Overview" }).waitFor();
  });
});
