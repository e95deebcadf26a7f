import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { useTestApp } from "../../helpers/app";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg, buildTeam, membershipId } from "../../helpers/orgs";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { createOrgAccessToken } from "../../../src/services/org-access-tokens";
import { apiRoutes } from "../../../src/routes/api";
import { routesOf } from "../../helpers/routes";
import type { AppContext } from "../../../src/context";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }>; requestBody?: { content: Record<string, { schema: object }> } }>>;
  components: { schemas: Record<string, object> };
};

const DOC_ID = "https://gatehouse.test/openapi.json";

/** Every endpoint the API's route map answers, as "method /api/path/{param}". */
function apiEndpoints(ctx: AppContext): string[] {
  return routesOf(apiRoutes(ctx)).map((r) => {
    const [method, path] = r.split(" ");
    return `${method!.toLowerCase()} /api${path!.replace(/:(\w+)/g, "{$1}")}`;
  });
}

/** Validates real responses against the served description; remembers which operations it saw. */
class Conformance {
  private ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  readonly seen = new Set<string>();

  constructor(private doc: Doc) {
    this.ajv.addSchema({ $id: DOC_ID, components: doc.components });
  }

  /** Checks one response of `method template` (e.g. "get /api/v1/user/tokens/{id}"). */
  async check(method: string, template: string, res: Response): Promise<unknown> {
    const operation = this.doc.paths[template]?.[method];
    assert.ok(operation, `${method} ${template} is not documented`);
    const documented = operation.responses[String(res.status)];
    assert.ok(documented, `${method} ${template} answered ${res.status}, which is not documented`);
    this.seen.add(`${method} ${template}`);
    const text = await res.text();
    if (!documented.content) {
      assert.equal(text, "", `${method} ${template} ${res.status} documents no body`);
      return undefined;
    }
    const type = res.headers.get("content-type")!.split(";")[0]!;
    const media = documented.content[type];
    assert.ok(media, `${method} ${template} ${res.status} answered ${type}, documented: ${Object.keys(documented.content)}`);
    const body = JSON.parse(text);
    this.validate(media.schema, body, `${method} ${template} ${res.status}`);
    for (const header of Object.keys(documented.headers ?? {})) assert.ok(res.headers.get(header) !== null, `${method} ${template} ${res.status} lacks ${header}`);
    return body;
  }

  /** Checks a value against a schema of the document (refs resolve into its components). */
  validate(schema: object, value: unknown, what: string) {
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
    const validate = this.ajv.compile(rebased);
    assert.ok(validate(value), `${what} does not match the description: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
  }
}

describe("API: the OpenAPI description matches the real responses", () => {
  const t = useTestApp();

  it("serves an OpenAPI 3.1 document without a token", async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Doc & { servers: { url: string }[]; components: { securitySchemes: object } };
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.servers, [{ url: t.baseUrl }]);
    assert.deepEqual(Object.keys(doc.components.securitySchemes), ["bearerAuth"]);
    assert.match(JSON.stringify(doc.components.securitySchemes), /"scheme":"bearer"/);
    // What each token kind may do, organization tokens never touching owners, is part of the document.
    const info = (doc as unknown as { info: { description: string } }).info.description;
    assert.match(info, /gto_.*cannot make anyone an owner, change or remove an owner, or invite an owner/s);
    assert.match(info, /gtt_/);
    assert.ok(new Ajv2020({ strict: false }).validateSchema({ $defs: doc.components.schemas }), "the component schemas are valid JSON Schema");
  });

  it("describes every response of every documented operation", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as Doc;
    const c = new Conformance(doc);
    const user = await buildUser({ displayName: "Katherine Johnson" });
    const other = await buildUser();
    await loginAs(t.baseUrl, user);
    const { token, row } = await buildAccessToken(t.ctx, user, { description: "caller", canCreateTokens: true, expiresInDays: null });
    const theirs = await buildAccessToken(t.ctx, other);
    const req = (method: string, path: string, body?: unknown, bearer: string | undefined = token) => apiRequest(t.baseUrl, bearer, method.toUpperCase(), path, body);

    await c.check("get", "/api/v1/user", await req("get", "/api/v1/user"));
    await c.check("get", "/api/v1/user", await req("get", "/api/v1/user", undefined, "gth_nope"));
    const patch = { display_name: "K. Johnson", links: ["https://example.test/kj"], email: "kj@example.test", current_password: user.password };
    c.validate(doc.paths["/api/v1/user"]!.patch!.requestBody!.content["application/json"]!.schema, patch, "PATCH body");
    const patched = (await c.check("patch", "/api/v1/user", await req("patch", "/api/v1/user", patch))) as { data: { pending_email: string } };
    assert.equal(patched.data.pending_email, "kj@example.test");
    await c.check("patch", "/api/v1/user", await req("patch", "/api/v1/user", { username: "no way" }));
    await c.check("patch", "/api/v1/user", await req("patch", "/api/v1/user", {}, undefined));

    const createBody = { description: "documented", expires_in_days: 30 };
    c.validate(doc.paths["/api/v1/user/tokens"]!.post!.requestBody!.content["application/json"]!.schema, createBody, "request body");
    const created = (await c.check("post", "/api/v1/user/tokens", await req("post", "/api/v1/user/tokens", createBody))) as { data: { id: number } };
    await c.check("post", "/api/v1/user/tokens", await req("post", "/api/v1/user/tokens", { description: "" }));
    await c.check("post", "/api/v1/user/tokens", await req("post", "/api/v1/user/tokens", {}, undefined));
    await req("post", "/api/v1/user/tokens", { description: "never", expires_in_days: null });
    await c.check("get", "/api/v1/user/tokens", await req("get", "/api/v1/user/tokens?per_page=2"));
    await c.check("get", "/api/v1/user/tokens", await req("get", "/api/v1/user/tokens?per_page=500"));
    await c.check("get", "/api/v1/user/tokens", await req("get", "/api/v1/user/tokens", undefined, undefined));
    await c.check("get", "/api/v1/user/tokens/{id}", await req("get", `/api/v1/user/tokens/${row.id}`));
    await c.check("get", "/api/v1/user/tokens/{id}", await req("get", `/api/v1/user/tokens/${theirs.row.id}`));
    await c.check("get", "/api/v1/user/tokens/{id}", await req("get", `/api/v1/user/tokens/${row.id}`, undefined, undefined));
    await c.check("delete", "/api/v1/user/tokens/{id}", await req("delete", `/api/v1/user/tokens/${created.data.id}`));
    await c.check("delete", "/api/v1/user/tokens/{id}", await req("delete", `/api/v1/user/tokens/${theirs.row.id}`));
    await c.check("delete", "/api/v1/user/tokens/{id}", await req("delete", `/api/v1/user/tokens/${row.id}`, undefined, "x"));
    await c.check("get", "/api/v1/user/sessions", await req("get", "/api/v1/user/sessions"));
    await c.check("get", "/api/v1/user/sessions", await req("get", "/api/v1/user/sessions?page=0"));
    await c.check("get", "/api/v1/user/sessions", await req("get", "/api/v1/user/sessions", undefined, undefined));
    await c.check("get", "/api/v2/ping", await req("get", "/api/v2/ping"));
    await c.check("get", "/api/v2/ping", await req("get", "/api/v2/ping", undefined, undefined));
    await c.check("get", "/api/v2/account/details", await req("get", "/api/v2/account/details"));
    await c.check("get", "/api/v2/account/details", await req("get", "/api/v2/account/details", undefined, undefined));

    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/api/v1/user") || p.startsWith("/api/v2/"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    assert.deepEqual([...c.seen].sort(), documented.sort(), "every documented user and token operation was exercised");
  });

  it("describes every response of every organization operation", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as Doc;
    const c = new Conformance(doc);
    const owner = await buildUser();
    const admin = await buildUser();
    const member = await buildUser();
    const outsider = await buildUser();
    const org = await buildOrg(owner);
    const adminId = await addMember(org, admin, "admin");
    const memberId = await addMember(org, member, "member");
    const ownerId = await membershipId(org, owner);
    const team = await buildTeam(org, "Platform");
    const tokens = {
      owner: (await buildAccessToken(t.ctx, owner)).token,
      member: (await buildAccessToken(t.ctx, member)).token,
      outsider: (await buildAccessToken(t.ctx, outsider)).token,
      org: (await createOrgAccessToken(org, null, { description: "ci", scope: "organization", expires_in_days: "30" })).token,
    };
    const req = (method: string, path: string, bearer: string | undefined, body?: unknown) => apiRequest(t.baseUrl, bearer, method.toUpperCase(), path, body);
    const base = `/api/v1/orgs/${org.slug}`;

    await c.check("get", "/api/v1/orgs", await req("get", "/api/v1/orgs", tokens.owner));
    await c.check("get", "/api/v1/orgs", await req("get", "/api/v1/orgs", tokens.org));
    await c.check("get", "/api/v1/orgs", await req("get", "/api/v1/orgs?page=0", tokens.owner));
    await c.check("get", "/api/v1/orgs", await req("get", "/api/v1/orgs", undefined));
    await c.check("get", "/api/v1/orgs/{org}", await req("get", base, tokens.member));
    await c.check("get", "/api/v1/orgs/{org}", await req("get", base, tokens.outsider));
    await c.check("get", "/api/v1/orgs/{org}", await req("get", base, undefined));
    await c.check("get", "/api/v1/orgs/{org}/members", await req("get", `${base}/members?per_page=2`, tokens.member));
    await c.check("get", "/api/v1/orgs/{org}/members", await req("get", `${base}/members?per_page=0`, tokens.member));
    await c.check("get", "/api/v1/orgs/{org}/members", await req("get", `${base}/members`, tokens.outsider));

    const roleBody = { role: "admin" };
    c.validate(doc.paths["/api/v1/orgs/{org}/members/{id}"]!.patch!.requestBody!.content["application/json"]!.schema, roleBody, "role body");
    await c.check("patch", "/api/v1/orgs/{org}/members/{id}", await req("patch", `${base}/members/${memberId}`, tokens.owner, roleBody));
    await c.check("patch", "/api/v1/orgs/{org}/members/{id}", await req("patch", `${base}/members/${memberId}`, tokens.owner, { role: "boss" }));
    await c.check("patch", "/api/v1/orgs/{org}/members/{id}", await req("patch", `${base}/members/${adminId}`, tokens.member, roleBody));
    await c.check("patch", "/api/v1/orgs/{org}/members/{id}", await req("patch", `${base}/members/999999`, tokens.owner, roleBody));
    await c.check("patch", "/api/v1/orgs/{org}/members/{id}", await req("patch", `${base}/members/${ownerId}`, tokens.org, roleBody));
    await c.check("delete", "/api/v1/orgs/{org}/members/{id}", await req("delete", `${base}/members/${adminId}`, tokens.owner));
    await c.check("delete", "/api/v1/orgs/{org}/members/{id}", await req("delete", `${base}/members/${adminId}`, tokens.owner));
    await c.check("delete", "/api/v1/orgs/{org}/members/{id}", await req("delete", `${base}/members/${ownerId}`, tokens.member));

    const inviteBody = { email: "new@example.test", role: "member", teams: [team.id] };
    c.validate(doc.paths["/api/v1/orgs/{org}/invitations"]!.post!.requestBody!.content["application/json"]!.schema, inviteBody, "invitation body");
    const invited = (await c.check("post", "/api/v1/orgs/{org}/invitations", await req("post", `${base}/invitations`, tokens.owner, inviteBody))) as { data: { id: number } };
    await c.check("post", "/api/v1/orgs/{org}/invitations", await req("post", `${base}/invitations`, tokens.owner, inviteBody));
    await c.check("post", "/api/v1/orgs/{org}/invitations", await req("post", `${base}/invitations`, tokens.owner, { email: "nope", role: "member" }));
    await c.check("post", "/api/v1/orgs/{org}/invitations", await req("post", `${base}/invitations`, tokens.org, { email: "o@example.test", role: "owner" }));
    await c.check("post", "/api/v1/orgs/{org}/invitations", await req("post", `${base}/invitations`, tokens.outsider, inviteBody));
    await c.check("get", "/api/v1/orgs/{org}/invitations", await req("get", `${base}/invitations`, tokens.org));
    await c.check("get", "/api/v1/orgs/{org}/invitations", await req("get", `${base}/invitations`, tokens.member));
    await c.check("delete", "/api/v1/orgs/{org}/invitations/{id}", await req("delete", `${base}/invitations/${invited.data.id}`, tokens.member));
    await c.check("delete", "/api/v1/orgs/{org}/invitations/{id}", await req("delete", `${base}/invitations/${invited.data.id}`, tokens.owner));
    await c.check("delete", "/api/v1/orgs/{org}/invitations/{id}", await req("delete", `${base}/invitations/${invited.data.id}`, tokens.owner));

    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/api/v1/orgs"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    assert.deepEqual([...c.seen].sort(), documented.sort(), "every documented organization operation was exercised");
  });

  it("describes every endpoint of the API's route map", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as Doc;
    const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    const routed = apiEndpoints(t.ctx).filter((e) => e !== "get /api/v1/openapi.json");
    assert.deepEqual(described.sort(), routed.sort());
  });
});
