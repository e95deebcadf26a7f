import assert from "node:assert/strict";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { fieldError, signedInAs, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { buildOrg, roleOf } from "../../helpers/orgs";
import { useSamlIdp, type SamlResponseOptions } from "../../helpers/saml-idp";
import { startSso, verifyDomain } from "../../helpers/sso";

/** The sentence of a refusal page that says why. */
const reasonOf = (html: string) => html.match(/<p>([^<]*)<\/p>/)?.[1] ?? html.slice(0, 200);

describe("single sign-on with SAML 2.0", () => {
  const t = useTestApp();
  const idp = useSamlIdp();

  async function acmeWithSaml() {
    const owner = await buildUser({ username: "owner", email: "owner@elsewhere.test" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme" });
    await verifyDomain(org, "acme.test");
    const ownerClient = await loginAs(t.baseUrl, owner);
    const res = await ownerClient.submit("/orgs/acme/settings/sso", { metadata_xml: idp.metadata() }, "/orgs/acme/settings/sso/saml");
    assert.equal(res.status, 302, `saving SAML answered ${res.status}: ${fieldError(res.html, "metadata_xml") ?? ""}`);
    const acs = `${t.baseUrl}/sso/${org.id}/saml/acs`;
    const sp = `${t.baseUrl}/sso/${org.id}/saml/metadata`;
    return { org, ownerClient, acs, sp };
  }

  /** Starts a sign-in in `client`; returns the AuthnRequest id the IdP is asked to answer. */
  async function requestIdFor(client: TestClient): Promise<string> {
    const url = new URL(await startSso(client, "grace@acme.test"));
    assert.equal(url.origin + url.pathname, idp.ssoUrl);
    const request = zlib.inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString();
    return request.match(/ID="([^"]+)"/)![1]!;
  }

  async function post(client: TestClient, acs: string, samlResponse: string) {
    return client.postRaw(acs, { SAMLResponse: samlResponse });
  }

  it("reads pasted metadata, publishes our SP metadata, and refuses a broken certificate with a 422", async () => {
    const { org, ownerClient, acs, sp } = await acmeWithSaml();
    const row = await db("organization_sso_providers").where({ organization_id: org.id }).first();
    assert.equal(row.saml_entity_id, idp.entityId);
    assert.equal(row.saml_sso_url, idp.ssoUrl);
    const metadata = await new TestClient(t.baseUrl).get(`/sso/${org.id}/saml/metadata`);
    assert.equal(metadata.status, 200);
    assert.match(metadata.html, new RegExp(`entityID="${sp}"`));
    assert.match(metadata.html, new RegExp(`Location="${acs}"`));
    const bad = await ownerClient.submit("/orgs/acme/settings/sso", { entity_id: "x", sso_url: "https://idp.test/sso", certificate: "not a certificate" }, "/orgs/acme/settings/sso/saml");
    assert.equal(bad.status, 422);
    assert.match(fieldError(bad.html, "certificate") ?? "", /signing certificate/);
  });

  it("signs a new person in just in time from a signed assertion answering our request", async () => {
    const { org, acs, sp } = await acmeWithSaml();
    const client = new TestClient(t.baseUrl);
    const requestId = await requestIdFor(client);
    const res = await post(client, acs, idp.response(acs, sp, { inResponseTo: requestId }));
    assert.equal(res.status, 302, reasonOf(res.html));
    assert.equal(await signedInAs(client), "grace");
    const user = await db("users").where({ email: "grace@acme.test" }).first();
    assert.equal(await roleOf(org, user), "member");
  });

  // Each with the sentence the refusal page gives (never the library's words, which are for the log).
  const refusals: [string, (acs: string, sp: string, requestId: string) => SamlResponseOptions, RegExp][] = [
    ["an unsolicited response (no InResponseTo)", () => ({}), /does not answer the sign-in started in this browser/],
    ["a response to another request", () => ({ inResponseTo: "_someone-elses-request" }), /does not answer the sign-in started in this browser/],
    ["a tampered assertion", (_a, _s, id) => ({ inResponseTo: id, tamperNameId: "admin" }), /changed after signing/],
    ["an assertion whose email was changed after signing", (_a, _s, id) => ({ inResponseTo: id, tamperEmail: "admin@acme.test" }), /changed after signing/],
    ["an unsigned assertion", (_a, _s, id) => ({ inResponseTo: id, sign: "none" }), /not signed by the organization’s identity provider/],
    ["a signed response around an unsigned assertion", (_a, _s, id) => ({ inResponseTo: id, sign: "response" }), /not signed by the organization’s identity provider/],
    ["an assertion signed by another key", (_a, _s, id) => ({ inResponseTo: id, foreignKey: true }), /not signed by the organization’s identity provider/],
    ["an expired assertion", (_a, _s, id) => ({ inResponseTo: id, notBefore: -900, notOnOrAfter: -300 }), /It has expired/],
    ["an assertion not valid yet", (_a, _s, id) => ({ inResponseTo: id, notBefore: 600, notOnOrAfter: 900 }), /not valid yet/],
    ["an assertion for another audience", (_a, _s, id) => ({ inResponseTo: id, audience: "https://other-sp.test/metadata" }), /made for another service/],
    ["an assertion for another recipient", (_a, _s, id) => ({ inResponseTo: id, recipient: "https://other-sp.test/acs" }), /made for another recipient/],
    ["a response sent to another destination", (_a, _s, id) => ({ inResponseTo: id, destination: "https://other-sp.test/acs" }), /sent to another destination/],
  ];
  for (const [what, options, reason] of refusals) {
    it(`refuses ${what}`, async () => {
      const { acs, sp } = await acmeWithSaml();
      const client = new TestClient(t.baseUrl);
      const requestId = await requestIdFor(client);
      const res = await post(client, acs, idp.response(acs, sp, options(acs, sp, requestId)));
      assert.equal(res.status, 400, res.html.slice(0, 300));
      assert.match(reasonOf(res.html), /identity provider was refused, so nobody was signed in\. /);
      assert.match(reasonOf(res.html), reason);
      assert.equal(await signedInAs(client), undefined);
      assert.equal(await db("users").where({ email: "grace@acme.test" }).first(), undefined);
    });
  }

  it("accepts one assertion once: a replay in the same session, and two posts racing, get one sign-in", async () => {
    const { acs, sp } = await acmeWithSaml();
    const client = new TestClient(t.baseUrl);
    const requestId = await requestIdFor(client);
    const response = idp.response(acs, sp, { inResponseTo: requestId });
    const answers = await Promise.all([post(client, acs, response), post(client, acs, response)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [302, 400]);
    assert.equal((await db("sso_assertions")).length, 1);
    assert.equal((await db("users").where({ email: "grace@acme.test" })).length, 1);
    // Later, even with a new sign-in started, the same assertion is refused.
    const later = new TestClient(t.baseUrl);
    await requestIdFor(later);
    assert.equal((await post(later, acs, response)).status, 400);
    assert.equal(await signedInAs(later), undefined);
  });

  it("bounces a response that came without our cookie through a same-site form, and refuses it if no sign-in was started", async () => {
    const { acs, sp } = await acmeWithSaml();
    const stranger = new TestClient(t.baseUrl);
    const first = await post(stranger, acs, idp.response(acs, sp, { inResponseTo: "_x" }));
    assert.equal(first.status, 200);
    assert.match(first.html, /name="continued" value="1"/);
    const second = await stranger.postRaw(acs, { SAMLResponse: idp.response(acs, sp, { inResponseTo: "_x" }), continued: "1" });
    assert.equal(second.status, 400);
  });

  it("takes metadata and responses larger than the general form limit", async () => {
    const { acs, sp, ownerClient } = await acmeWithSaml();
    const padded = idp.metadata().replace("<md:IDPSSODescriptor", `<!-- ${"x".repeat(60_000)} --><md:IDPSSODescriptor`);
    assert.equal((await ownerClient.submit("/orgs/acme/settings/sso", { metadata_xml: padded }, "/orgs/acme/settings/sso/saml")).status, 302);
    const client = new TestClient(t.baseUrl);
    const requestId = await requestIdFor(client);
    const res = await post(client, acs, idp.response(acs, sp, { inResponseTo: requestId, name: "G".repeat(40_000) }));
    assert.equal(res.status, 302, reasonOf(res.html));
  });

  it("never joins or links an existing account with the same address", async () => {
    const { org, acs, sp } = await acmeWithSaml();
    const existing = await buildUser({ username: "grace-pw", email: "grace@acme.test" });
    const client = new TestClient(t.baseUrl);
    const requestId = await requestIdFor(client);
    const res = await post(client, acs, idp.response(acs, sp, { inResponseTo: requestId }));
    assert.equal(res.status, 409);
    assert.equal(await roleOf(org, existing), undefined);
  });
});
