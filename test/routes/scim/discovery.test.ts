import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { buildUser } from "../../helpers/factories";
import { buildOrg } from "../../helpers/orgs";
import { buildScimToken, clearOfMinuteEnd, scim } from "./helpers";

// One test in its own app: the per-token limit counts in the app's memory by token id.
describe("SCIM discovery and the per-token rate limit", () => {
  const t = useTestApp({ RATE_LIMIT_API_PER_TOKEN: "8" });

  it("serves the discovery endpoints and limits requests per token (429)", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    await clearOfMinuteEnd();
    const token = await buildScimToken(org, owner);
    const base = `/scim/v2/orgs/${org.slug}`;
    const config = await scim(t.baseUrl, token, "GET", `${base}/ServiceProviderConfig`);
    assert.equal(config.body!.patch.supported, true);
    assert.equal(config.body!.bulk.supported, false);
    const types = await scim(t.baseUrl, token, "GET", `${base}/ResourceTypes`);
    assert.deepEqual(types.body!.Resources.map((r: { id: string }) => r.id), ["User", "Group"]);
    const schemas = await scim(t.baseUrl, token, "GET", `${base}/Schemas`);
    assert.equal(schemas.body!.totalResults, 2);
    assert.equal((await scim(t.baseUrl, token, "GET", `${base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`)).status, 200);
    // Four requests so far; the limit is eight a minute.
    for (let i = 0; i < 4; i++) assert.equal((await scim(t.baseUrl, token, "GET", `${base}/Users`)).status, 200);
    const over = await scim(t.baseUrl, token, "GET", `${base}/Users`);
    assert.equal(over.status, 429);
    assert.equal(over.body!.status, "429");
    assert.ok(over.headers.get("retry-after"));
  });
});
