import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, fieldError, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";

const teamMembers = async (teamId: number) => (await db("team_memberships").where({ team_id: teamId }).orderBy("user_id")).map((r: { user_id: number; maintainer: boolean }) => [r.user_id, r.maintainer]);

describe("teams", () => {
  const t = useTestApp();

  it("lets an admin create, rename and delete a team, with 422 on a duplicate name", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    const a = await loginAs(t.baseUrl, admin);
    const created = await a.submit(`/orgs/${org.slug}/teams`, { name: "Platform" });
    assert.equal(created.status, 302);
    const team = await db("teams").where({ organization_id: org.id }).first();
    assert.equal(created.location, `/orgs/${org.slug}/teams/${team.id}`);
    const dup = await a.submit(`/orgs/${org.slug}/teams`, { name: "platform" });
    assert.equal(dup.status, 422);
    assert.match(fieldError(dup.html, "name") ?? "", /already has a team/);
    assert.match(dup.html, /value="platform"/);
    const renamed = await a.submit(`/orgs/${org.slug}/teams/${team.id}`, { name: "Infra" }, `/orgs/${org.slug}/teams/${team.id}/rename`);
    assert.equal(renamed.status, 302);
    assert.equal((await db("teams").where({ id: team.id }).first()).name, "Infra");
    const ask = await a.get(`/orgs/${org.slug}/teams/${team.id}/delete`);
    assert.match(ask.html, /Delete the team Infra\?/);
    await a.submit(`/orgs/${org.slug}/teams/${team.id}/delete`, {});
    assert.equal((await db("teams").where({ id: team.id })).length, 0);
  });

  it("adds only organization members, and maintainers manage their team's members", async () => {
    const owner = await buildUser();
    const maint = await buildUser();
    const member = await buildUser();
    const outsider = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, maint, "member");
    await addMember(org, member, "member");
    const team = await buildTeam(org, "Platform", [{ id: maint.id, maintainer: true }]);
    const m = await loginAs(t.baseUrl, maint);
    const page = await m.get(`/orgs/${org.slug}/teams/${team.id}`);
    assert.match(page.html, /Add to team/);
    assert.doesNotMatch(page.html, /Rename team/);
    const res = await m.submit(`/orgs/${org.slug}/teams/${team.id}`, { username: member.username }, `/orgs/${org.slug}/teams/${team.id}/members`);
    assert.equal(res.status, 302);
    for (const username of [outsider.username, "no-such-user"]) {
      const refused = await m.submit(`/orgs/${org.slug}/teams/${team.id}`, { username }, `/orgs/${org.slug}/teams/${team.id}/members`);
      assert.equal(refused.status, 422);
      assert.equal(fieldError(refused.html, "username"), "No member of this organization has that username.");
    }
    assert.deepEqual(await teamMembers(team.id), [[maint.id, true], [member.id, false]].sort((x, y) => Number(x[0]) - Number(y[0])));
    const token = csrfTokenFor(page.html, `/orgs/${org.slug}/teams/${team.id}/members`);
    // A maintainer cannot name maintainers (admins and owners do).
    const promote = await m.postRaw(`/orgs/${org.slug}/teams/${team.id}/members/${member.id}/maintainer`, { _csrf: token, maintainer: "true" });
    assert.equal(promote.status, 403);
    const removed = await m.postRaw(`/orgs/${org.slug}/teams/${team.id}/members/${member.id}/remove`, { _csrf: token });
    assert.match((await m.get(removed.location!)).html, new RegExp(`Removed ${member.username} from Platform\\.`));
    assert.deepEqual(await teamMembers(team.id), [[maint.id, true]]);

    const o = await loginAs(t.baseUrl, owner);
    await addMember(org, outsider, "member");
    await o.submit(`/orgs/${org.slug}/teams/${team.id}`, { username: outsider.username }, `/orgs/${org.slug}/teams/${team.id}/members`);
    const named = await o.submit(`/orgs/${org.slug}/teams/${team.id}`, { maintainer: "true" }, `/orgs/${org.slug}/teams/${team.id}/members/${outsider.id}/maintainer`);
    assert.match((await o.get(named.location!)).html, new RegExp(`${outsider.username} now maintains Platform\\.`));
    assert.equal((await db("team_memberships").where({ team_id: team.id, user_id: outsider.id }).first()).maintainer, true);
  });

  it("gives plain members a read-only view and 403 on team changes", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, member, "member");
    const team = await buildTeam(org, "Platform", [member]);
    const m = await loginAs(t.baseUrl, member);
    const list = await m.get(`/orgs/${org.slug}/teams`);
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.html, /Create team/);
    const page = await m.get(`/orgs/${org.slug}/teams/${team.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /Add to team|Rename team|Delete team/);
    const token = pageCsrfToken(page.html);
    for (const [path, fields] of [["/teams", { name: "Mine" }], [`/teams/${team.id}/rename`, { name: "X" }], [`/teams/${team.id}/delete`, {}], [`/teams/${team.id}/members`, { username: owner.username }], [`/teams/${team.id}/members/${member.id}/remove`, {}]] as const) {
      assert.equal((await m.postRaw(`/orgs/${org.slug}${path}`, { _csrf: token, ...fields })).status, 403, path);
    }
    assert.equal((await db("teams").where({ organization_id: org.id })).length, 1);
  });

  it("answers 404 for a team of another organization", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const other = await buildOrg(await buildUser());
    const foreign = await buildTeam(other, "Secret");
    const o = await loginAs(t.baseUrl, owner);
    assert.equal((await o.get(`/orgs/${org.slug}/teams/${foreign.id}`)).status, 404);
    const page = await o.get(`/orgs/${org.slug}/teams`);
    const token = csrfTokenFor(page.html, `/orgs/${org.slug}/teams`);
    for (const path of [`/teams/${foreign.id}/rename`, `/teams/${foreign.id}/delete`, `/teams/${foreign.id}/members`]) {
      assert.equal((await o.postRaw(`/orgs/${org.slug}${path}`, { _csrf: token, name: "Mine", username: owner.username })).status, 404, path);
    }
    assert.equal((await db("teams").where({ id: foreign.id }).first()).name, "Secret");
    assert.equal((await db("team_memberships").where({ team_id: foreign.id })).length, 0);
  });
});
