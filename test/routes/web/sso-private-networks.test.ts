import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { fieldError } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { useOidcIdp } from "../../helpers/oidc-idp";
import { buildOrg } from "../../helpers/orgs";

describe("SSO settings that point at a private network", () => {
  // As in production: the test IdP listens on 127.0.0.1, which an owner must not make us call.
  const t = useTestApp({ SSO_ALLOW_PRIVATE_NETWORKS: "0" });
  const idp = useOidcIdp();

  it("refuses an OIDC issuer and a SAML metadata URL on a local address, beside the field, saving nothing", async () => {
    const owner = await buildUser();
    await buildOrg(owner, { slug: "acme", name: "Acme" });
    const client = await loginAs(t.baseUrl, owner);
    const page = "/orgs/acme/settings/sso";
    const oidc = await client.submit(page, { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret }, `${page}/oidc`);
    assert.equal(oidc.status, 422);
    assert.match(fieldError(oidc.html, "issuer") ?? "", /private or local network/);
    const saml = await client.submit(page, { metadata_url: `${idp.issuer}/saml/metadata` }, `${page}/saml`);
    assert.equal(saml.status, 422);
    assert.match(fieldError(saml.html, "metadata_url") ?? "", /private or local network/);
    const shown = await client.get(page);
    assert.doesNotMatch(shown.html, new RegExp(idp.clientId));
  });
});
