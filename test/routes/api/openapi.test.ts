import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { useTestApp } from "../../helpers/app";
import { buildUser, loginAs } from "../../helpers/factories";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }>; requestBody?: { content: Record<string, { schema: object }> } }>>;
  components: { schemas: Record<string, object> };
};

const DOC_ID = "https://gatehouse.test/openapi.json";

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
});
