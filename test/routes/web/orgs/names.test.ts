import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { fieldError } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { buildOrg, buildTeam } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";
import { NAME_CHARACTERS_MESSAGE } from "../../../../src/lib/display-text";

/** Any character the display-name rule refuses, for asserting a mail holds none. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe("organization and team names obey the display-name character rule", () => {
  const t = useTestApp();

  it("refuses control, line-break and bidi characters in organization and team names, keeping what was typed", async () => {
    const owner = await buildUser();
    const client = await loginAs(t.baseUrl, owner);
    for (const name of ["Acme\u202Egnp.exe", "Acme\r\nBcc: victim@example.test", "Acme\u2066", "Acme\u200F"]) {
      const res = await client.submit("/orgs/new", { name, slug: "spoof" });
      assert.equal(res.status, 422, JSON.stringify(name));
      assert.equal(fieldError(res.html, "name"), NAME_CHARACTERS_MESSAGE);
      assert.match(res.html, /value="spoof"/);
    }
    assert.equal(await db("organizations").where({ slug: "spoof" }).first(), undefined);

    const org = await buildOrg(owner, { name: "Acme" });
    const rename = await client.submit(`/orgs/${org.slug}/settings`, { name: "Acme\u202E", slug: org.slug });
    assert.equal(rename.status, 422);
    assert.equal(fieldError(rename.html, "name"), NAME_CHARACTERS_MESSAGE);
    assert.equal((await db("organizations").where({ id: org.id }).first()).name, "Acme");

    const team = await client.submit(`/orgs/${org.slug}/teams`, { name: "Ops\u202E" });
    assert.equal(team.status, 422);
    assert.equal(fieldError(team.html, "name"), NAME_CHARACTERS_MESSAGE);
    const existing = await buildTeam(org, "Platform");
    const renamed = await client.submit(`/orgs/${org.slug}/teams/${existing.id}`, { name: "Plat\nform" }, `/orgs/${org.slug}/teams/${existing.id}/rename`);
    assert.equal(renamed.status, 422);
    assert.equal(fieldError(renamed.html, "name"), NAME_CHARACTERS_MESSAGE);
    // Names in other scripts and with emoji are welcome.
    assert.equal((await client.submit(`/orgs/${org.slug}/teams`, { name: "فريق 👩‍💻" })).status, 302);
  });

  it("mails no control or bidi character even for a name stored before the rule", async () => {
    const owner = await buildUser({ username: "legacy-owner" });
    const org = await buildOrg(owner);
    // Written straight to the table, as rows from before the rule or from a path no form guards.
    await db("organizations").where({ id: org.id }).update({ name: "Acme\u202Egnp.exe\r\nBcc: victim@example.test" });
    const client = await loginAs(t.baseUrl, owner);
    const res = await client.submit(`/orgs/${org.slug}/invitations`, { email: "invitee@example.test", role: "member" });
    assert.equal(res.status, 302);
    const mail = await t.mailbox.waitFor("invitee@example.test");
    assert.equal(mail.subject, "legacy-owner invited you to join Acmegnp.exe Bcc: victim@example.test on Gatehouse");
    assert.equal(mail.to, "invitee@example.test", "no recipient was added");
    for (const part of [mail.subject, mail.html]) assert.doesNotMatch(part, UNSAFE);
    assert.doesNotMatch(mail.text.replace(/\n/g, ""), UNSAFE);
    const stored = await db("outbound_mails").where({ to: "invitee@example.test" }).first();
    assert.doesNotMatch(stored.subject, UNSAFE);
  });
});
