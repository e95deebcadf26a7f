import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as p from "../../src/policies/organizations";
import type { OrgRole } from "../../src/policies/organizations";

const actor = (role: OrgRole | null) => (role ? { role, user_id: 1 } : null);
const target = (role: OrgRole) => ({ role, user_id: 2 });

type Row = [actor: OrgRole | null, ...answers: boolean[]];

describe("organization policies (role x action)", () => {
  it("gives each role the organization-wide actions of its rank", () => {
    const actions = [p.canViewOrganization, p.canViewTeams, p.canLeaveOrganization, p.canManageMembers, p.canManageInvitations, p.canManageTeams, p.canUpdateOrganization, p.canDeleteOrganization, p.canManageOrganizationTokens, p.canViewAuditLog, p.canManageScim, p.canManageBacking];
    const table: Row[] = [
      //         view   teams  leave  members invites teams  update delete tokens audit  scim   backing
      ["owner",  true,  true,  true,  true,   true,   true,  true,  true,  true,  true,  true,  true],
      ["admin",  true,  true,  true,  true,   true,   true,  false, false, false, true,  false, false],
      ["member", true,  true,  true,  false,  false,  false, false, false, false, false, false, false],
      [null,     false, false, false, false,  false,  false, false, false, false, false, false, false],
    ];
    for (const [role, ...answers] of table) {
      actions.forEach((action, i) => assert.equal(action(actor(role)), answers[i], `${role ?? "outsider"} ${action.name}`));
    }
  });

  it("changes roles only below or at the actor's rank, and only owners touch owners", () => {
    // [actor, target's role, new role, allowed]
    const table: [OrgRole | null, OrgRole, OrgRole, boolean][] = [
      ["owner", "member", "owner", true], ["owner", "member", "admin", true], ["owner", "admin", "member", true],
      ["owner", "owner", "admin", true], ["owner", "owner", "member", true], ["owner", "admin", "owner", true],
      ["admin", "member", "admin", true], ["admin", "admin", "member", true], ["admin", "member", "owner", false],
      ["admin", "admin", "owner", false], ["admin", "owner", "admin", false], ["admin", "owner", "member", false],
      ["member", "member", "admin", false], ["member", "member", "owner", false], ["member", "admin", "member", false],
      [null, "member", "admin", false], [null, "owner", "member", false],
    ];
    for (const [a, t, role, allowed] of table) assert.equal(p.canChangeRole(actor(a), target(t), role), allowed, `${a} sets ${t} to ${role}`);
  });

  it("never lets anyone change their own role through the member list", () => {
    for (const role of p.ORG_ROLES) assert.equal(p.canChangeRole({ role, user_id: 1 }, { role, user_id: 1 }, "member"), false);
  });

  it("removes others only below or at the actor's rank, owners only by owners", () => {
    const table: [OrgRole | null, OrgRole, boolean][] = [
      ["owner", "owner", true], ["owner", "admin", true], ["owner", "member", true],
      ["admin", "owner", false], ["admin", "admin", true], ["admin", "member", true],
      ["member", "owner", false], ["member", "admin", false], ["member", "member", false],
      [null, "member", false],
    ];
    for (const [a, t, allowed] of table) assert.equal(p.canRemoveMember(actor(a), target(t)), allowed, `${a} removes ${t}`);
    assert.equal(p.canRemoveMember({ role: "owner", user_id: 1 }, { role: "owner", user_id: 1 }), false, "removing yourself is leaving");
  });

  it("keeps owners out of an organization token's reach: it makes, unmakes and invites no owner", () => {
    const token = { role: "owner" as const, user_id: 0, viaToken: true };
    const table: [string, boolean][] = [
      ["member -> admin", p.canChangeRole(token, target("member"), "admin")],
      ["admin -> member", p.canChangeRole(token, target("admin"), "member")],
      ["member -> owner", p.canChangeRole(token, target("member"), "owner")],
      ["owner -> admin", p.canChangeRole(token, target("owner"), "admin")],
      ["remove member", p.canRemoveMember(token, target("member"))],
      ["remove owner", p.canRemoveMember(token, target("owner"))],
      ["invite admin", p.canInviteWithRole(token, "admin")],
      ["invite owner", p.canInviteWithRole(token, "owner")],
      ["manage SCIM", p.canManageScim(token)],
      ["manage backing", p.canManageBacking(token)],
    ];
    assert.deepEqual(table, [
      ["member -> admin", true], ["admin -> member", true], ["member -> owner", false], ["owner -> admin", false],
      ["remove member", true], ["remove owner", false], ["invite admin", true], ["invite owner", false], ["manage SCIM", false], ["manage backing", false],
    ]);
    assert.deepEqual(p.grantableRoles(token), ["admin", "member"]);
    assert.deepEqual(p.grantableRoles(actor("owner")), ["owner", "admin", "member"]);
  });

  it("invites with a role no higher than the actor's", () => {
    const table: [OrgRole | null, OrgRole, boolean][] = [
      ["owner", "owner", true], ["owner", "admin", true], ["owner", "member", true],
      ["admin", "owner", false], ["admin", "admin", true], ["admin", "member", true],
      ["member", "member", false], [null, "member", false],
    ];
    for (const [a, role, allowed] of table) assert.equal(p.canInviteWithRole(actor(a), role), allowed, `${a} invites as ${role}`);
    assert.deepEqual(p.grantableRoles(actor("owner")), ["owner", "admin", "member"]);
    assert.deepEqual(p.grantableRoles(actor("admin")), ["admin", "member"]);
    assert.deepEqual(p.grantableRoles(actor("member")), []);
  });

  it("lets admins, owners and the team's maintainers manage a team's members", () => {
    const table: [OrgRole | null, boolean | null, boolean][] = [
      ["owner", null, true], ["admin", null, true], ["member", true, true], ["member", false, false], ["member", null, false], [null, true, false],
    ];
    for (const [a, maintainer, allowed] of table) {
      assert.equal(p.canManageTeamMembers(actor(a), maintainer === null ? null : { maintainer }), allowed, `${a} maintainer=${maintainer}`);
    }
  });

  it("lets owners in person manage domains and the join policy, and admins and owners review join requests", () => {
    const token = { role: "owner" as const, user_id: 0, viaToken: true };
    const table: [Parameters<typeof p.canManageDomains>[0], boolean, boolean][] = [
      //              domains reviews
      [actor("owner"), true, true],
      [token, false, true],
      [actor("admin"), false, true],
      [actor("member"), false, false],
      [null, false, false],
    ];
    for (const [a, domains, reviews] of table) {
      assert.equal(p.canManageDomains(a), domains, `${JSON.stringify(a)} manages domains`);
      assert.equal(p.canReviewJoinRequests(a), reviews, `${JSON.stringify(a)} reviews join requests`);
    }
  });

  it("gives views the same answers as the policies", () => {
    assert.deepEqual(p.orgAbilities(actor("admin")), {
      view: true, manageMembers: true, manageInvitations: true, manageTeams: true, update: false, delete: false, manageTokens: false, leave: true, viewAuditLog: true, requireTwoFactor: false,
      manageDomains: false, reviewJoinRequests: true, manageScim: false, manageBacking: false,
    });
  });
});
