import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { fieldError, inputValue, type TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../../../helpers/orgs";
import { routesOf } from "../../../helpers/routes";
import { db } from "../../../../src/db/knex";
import { createOrgAccessToken } from "../../../../src/services/org-access-tokens";

/**
 * What a plain member of the organization gets on each organization route: the pages every member
 * sees, and 403 everywhere a role is needed. Every route of the map must be listed here, so a new
 * organization route cannot be added without saying who may use it.
 */
const MEMBER_GETS: Record<string, "allowed" | 403> = {
  "GET /orgs/:org": "allowed",
  "GET /orgs/:org/leave": "allowed",
  "POST /orgs/:org/leave": "allowed",
  "GET /orgs/:org/members": "allowed",
  "POST /orgs/:org/members/:id/role": 403,
  "GET /orgs/:org/members/:id/remove": 403,
  "POST /orgs/:org/members/:id/remove": 403,
  "GET /orgs/:org/teams": "allowed",
  "POST /orgs/:org/teams": 403,
  "GET /orgs/:org/teams/:team": "allowed",
  "POST /orgs/:org/teams/:team/rename": 403,
  "GET /orgs/:org/teams/:team/delete": 403,
  "POST /orgs/:org/teams/:team/delete": 403,
  "POST /orgs/:org/teams/:team/members": 403,
  "POST /orgs/:org/teams/:team/members/:user/remove": 403,
  "POST /orgs/:org/teams/:team/members/:user/maintainer": 403,
  "GET /orgs/:org/invitations": 403,
  "POST /orgs/:org/invitations": 403,
  "POST /orgs/:org/invitations/:id/resend": 403,
  "GET /orgs/:org/invitations/:id/revoke": 403,
  "POST /orgs/:org/invitations/:id/revoke": 403,
  "GET /orgs/:org/settings": 403,
  "POST /orgs/:org/settings": 403,
  "POST /orgs/:org/settings/two-factor": 403,
  "GET /orgs/:org/audit": 403,
  "POST /orgs/:org/delete": 403,
  "GET /orgs/:org/tokens": 403,
  "POST /orgs/:org/tokens": 403,
  "GET /orgs/:org/tokens/:id/revoke": 403,
  "POST /orgs/:org/tokens/:id/revoke": 403,
  "GET /orgs/:org/settings/sso": 403,
  "POST /orgs/:org/settings/sso/domains": 403,
  "POST /orgs/:org/settings/sso/domains/:id/verify": 403,
  "GET /orgs/:org/settings/sso/domains/:id/remove": 403,
  "POST /orgs/:org/settings/sso/domains/:id/remove": 403,
  "POST /orgs/:org/settings/sso/join-policy": 403,
  "POST /orgs/:org/settings/sso/oidc": 403,
  "POST /orgs/:org/settings/sso/saml": 403,
  "POST /orgs/:org/settings/sso/policy": 403,
  "GET /orgs/:org/settings/sso/remove": 403,
  "POST /orgs/:org/settings/sso/remove": 403,
  // Asking to join is for people outside: the organization is found only by a verified domain of
  // the asker's address (test/routes/web/orgs/join-requests.test.ts), so outsiders here get 404.
  "POST /orgs/:org/join-requests": "allowed",
  "GET /orgs/:org/join-requests": 403,
  "POST /orgs/:org/join-requests/:id/approve": 403,
  "POST /orgs/:org/join-requests/:id/deny": 403,
  "GET /orgs/:org/settings/scim": 403,
  "POST /orgs/:org/settings/scim/tokens": 403,
  "GET /orgs/:org/settings/scim/tokens/:id/revoke": 403,
  "POST /orgs/:org/settings/scim/tokens/:id/revoke": 403,
  "POST /orgs/:org/invitations/backed/:id": 403,
  "POST /orgs/:org/settings/backing/:provider/start": 403,
  "GET /orgs/:org/settings/backing/:provider": 403,
  "POST /orgs/:org/settings/backing/:provider": 403,
  "POST /orgs/:org/settings/backing/self-join": 403,
  "GET /orgs/:org/settings/backing/remove": 403,
  "POST /orgs/:org/settings/backing/remove": 403,
};

/** A body that would pass each form's validation, so the refusal comes from the guard, not the form. */
const VALID_BODY: Record<string, Record<string, string>> = {
  "POST /orgs/:org/settings/backing/:provider": { provider_org_id: "1" },
  "POST /orgs/:org/members/:id/role": { role: "admin" },
  "POST /orgs/:org/teams": { name: "Intruders" },
  "POST /orgs/:org/teams/:team/rename": { name: "Intruders" },
  "POST /orgs/:org/teams/:team/members": { username: "someone" },
  "POST /orgs/:org/teams/:team/members/:user/maintainer": { maintainer: "true" },
  "POST /orgs/:org/invitations": { email: "friend@example.test", role: "member" },
  "POST /orgs/:org/settings": { name: "Taken over", slug: "taken-over" },
  "POST /orgs/:org/delete": { confirm_slug: "x" },
  "POST /orgs/:org/tokens": { description: "stolen", scope: "organization", expires_in_days: "30" },
  "POST /orgs/:org/settings/sso/domains": { domain: "stolen.test" },
  "POST /orgs/:org/settings/sso/join-policy": { join_policy: "direct" },
  "POST /orgs/:org/settings/sso/oidc": { issuer: "https://idp.test", client_id: "x", client_secret: "y" },
  "POST /orgs/:org/settings/sso/saml": { entity_id: "x", sso_url: "https://idp.test/sso" },
  "POST /orgs/:org/settings/sso/policy": { require_sso: "yes", session_lifetime_hours: "12" },
};

const csrfOf = async (client: TestClient) => (await client.get("/settings/profile")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;

describe("organization routes: loaded and authorized in the route map", () => {
  const t = useTestApp();

  async function fixture() {
    const owner = await buildUser();
    const member = await buildUser();
    const outsider = await buildUser();
    const org = await buildOrg(owner);
    const memberId = await addMember(org, member, "member");
    const team = await buildTeam(org, "Platform", [{ id: owner.id }]);
    const ownerClient = await loginAs(t.baseUrl, owner);
    await ownerClient.submit(`/orgs/${org.slug}/invitations`, { email: "pending@example.test", role: "member" });
    const invitation = await db("invitations").where({ organization_id: org.id }).first();
    const { row: token } = await createOrgAccessToken(org, { role: "owner", user_id: owner.id }, { description: "ci", scope: "organization", expires_in_days: "30" });
    const ids: Record<string, string> = { ":org": org.slug, ":team": String(team.id), ":user": String(owner.id), ":provider": "github" };
    const pathOf = (route: string) => {
      const path = route.split(" ")[1]!;
      const id = path.startsWith("/orgs/:org/invitations") ? invitation.id : path.startsWith("/orgs/:org/tokens") ? token.id : memberId;
      return path.replace(/:\w+/g, (p) => ids[p] ?? String(id));
    };
    return { owner, member, outsider, org, team, ownerClient, pathOf };
  }

  it("lists every organization route of the map in this test's table", () => {
    assert.deepEqual(routesOf(t.app).filter((r) => r.split(" ")[1]!.startsWith("/orgs/:org")).sort(), Object.keys(MEMBER_GETS).sort());
  });

  it("answers 403 to a member without the role on every route that needs one, and changes nothing", async () => {
    const { member, org, team, pathOf } = await fixture();
    const client = await loginAs(t.baseUrl, member);
    const csrf = await csrfOf(client);
    for (const [route, expected] of Object.entries(MEMBER_GETS)) {
      if (expected !== 403) continue;
      const [method] = route.split(" ");
      const res = method === "GET" ? await client.get(pathOf(route)) : await client.postRaw(pathOf(route), { _csrf: csrf, ...VALID_BODY[route] });
      assert.equal(res.status, 403, `${route} answered ${res.status}`);
      assert.match(res.html, /Your role in this organization does not allow that\./, route);
    }
    assert.equal((await db("organizations").where({ id: org.id }).first()).name, org.name);
    assert.deepEqual((await db("teams").where({ organization_id: org.id })).map((r: { name: string }) => r.name), [team.name]);
    assert.equal((await db("team_memberships").where({ team_id: team.id })).length, 1);
    assert.equal((await db("memberships").where({ organization_id: org.id, role: "admin" })).length, 0);
    assert.equal((await db("invitations").where({ organization_id: org.id, status: "pending" })).length, 1);
    assert.equal((await db("access_tokens").where({ organization_id: org.id }).whereNull("revoked_at")).length, 1);
  });

  it("lets a team's maintainer manage its members but nothing else of the team", async () => {
    const { member, org, team, pathOf } = await fixture();
    await db("team_memberships").insert({ organization_id: org.id, team_id: team.id, user_id: member.id, maintainer: true });
    const client = await loginAs(t.baseUrl, member);
    const csrf = await csrfOf(client);
    const remove = await client.postRaw(pathOf("POST /orgs/:org/teams/:team/members/:user/remove"), { _csrf: csrf });
    assert.equal(remove.status, 302);
    for (const route of ["POST /orgs/:org/teams/:team/rename", "POST /orgs/:org/teams/:team/delete", "POST /orgs/:org/teams/:team/members/:user/maintainer"]) {
      assert.equal((await client.postRaw(pathOf(route), { _csrf: csrf, ...VALID_BODY[route] })).status, 403, route);
    }
  });

  it("answers 404 to someone outside the organization on every route, whatever they send", async () => {
    const { outsider, pathOf } = await fixture();
    const client = await loginAs(t.baseUrl, outsider);
    const csrf = await csrfOf(client);
    for (const route of Object.keys(MEMBER_GETS)) {
      const [method] = route.split(" ");
      for (const body of [VALID_BODY[route] ?? {}, { name: "", role: "boss", email: "nope" }]) {
        const res = method === "GET" ? await client.get(pathOf(route)) : await client.postRaw(pathOf(route), { _csrf: csrf, ...body });
        assert.equal(res.status, 404, `${route} answered ${res.status}`);
        assert.doesNotMatch(res.html, /Platform/, `${route} shows nothing of the organization`);
      }
    }
  });

  it("shows each form again with 422, the message beside its field and the typed value, and writes nothing", async () => {
    const { org, ownerClient, pathOf } = await fixture();
    const cases: [route: string, page: string, body: Record<string, string>, field: string, typed?: string][] = [
      ["POST /orgs/:org/teams", "/orgs/:org/teams", { name: "" }, "name"],
      ["POST /orgs/:org/teams/:team/rename", "/orgs/:org/teams/:team", { name: "a\u202eb" }, "name", "a\u202eb"],
      ["POST /orgs/:org/teams/:team/members", "/orgs/:org/teams/:team", { username: "" }, "username"],
      ["POST /orgs/:org/invitations", "/orgs/:org/invitations", { email: "not-an-address", role: "member" }, "email", "not-an-address"],
      ["POST /orgs/:org/settings", "/orgs/:org/settings", { name: "Still fine", slug: "no spaces" }, "slug", "no spaces"],
      ["POST /orgs/:org/delete", "/orgs/:org/settings", { confirm_slug: "wrong" }, "confirm_slug", "wrong"],
      ["POST /orgs/:org/tokens", "/orgs/:org/tokens", { description: "", scope: "organization", expires_in_days: "30" }, "description"],
      ["POST /orgs/:org/tokens", "/orgs/:org/tokens", { description: "ci", scope: "organization", expires_in_days: "7000" }, "expires_in_days"],
      ["POST /orgs/:org/settings/sso/domains", "/orgs/:org/settings/sso", { domain: "co.uk" }, "domain", "co.uk"],
    ];
    for (const [route, page, body, field, typed] of cases) {
      const res = await ownerClient.submit(pathOf(`GET ${page}`), body, pathOf(route));
      assert.equal(res.status, 422, `${route} ${JSON.stringify(body)} answered ${res.status}`);
      assert.ok(fieldError(res.html, field), `${route}: a message beside ${field}`);
      if (typed !== undefined) assert.equal(inputValue(res.html, field), typed, `${route}: the typed ${field} is kept`);
    }
    assert.equal((await db("organizations").where({ id: org.id }).first()).slug, org.slug);
    assert.equal((await db("teams").where({ organization_id: org.id })).length, 1);
    assert.equal((await db("invitations").where({ organization_id: org.id })).length, 1);
    assert.equal((await db("access_tokens").where({ organization_id: org.id })).length, 1);
  });

  it("flashes a refused choice on the list it came from", async () => {
    const { org, ownerClient, pathOf } = await fixture();
    const role = await ownerClient.submit(`/orgs/${org.slug}/members`, { role: "boss" }, pathOf("POST /orgs/:org/members/:id/role"));
    assert.equal(role.status, 302);
    assert.match((await ownerClient.get(role.location!)).html, /Choose a role\./);
  });
});
