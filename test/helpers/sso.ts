import assert from "node:assert/strict";
import { db } from "../../src/db/knex";
import type { OrganizationRow } from "../../src/db/organizations";
import { fieldError, type Page, type TestClient } from "./client";
import { buildUser, loginAs } from "./factories";
import type { OidcTestIdp } from "./oidc-idp";
import { buildOrg } from "./orgs";

/** Marks `domain` verified for `org` straight in the database (as a site admin's approval would). */
export async function verifyDomain(org: Pick<OrganizationRow, "id">, domain: string): Promise<void> {
  await db("organization_domains").insert({ organization_id: org.id, domain, verification_token: `t${Date.now()}${Math.random()}`, verified_at: new Date(), verified_by: "admin" });
}

/** The IdP URL on the "Continue to …" page that POST /login/sso answers (its form's action plus hidden fields). */
export function idpUrlOf(page: Page): string {
  const form = page.html.match(/<form method="get" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/);
  assert.ok(form, `no form to the identity provider on the page (status ${page.status})`);
  const url = new URL(unescape(form[1]!));
  for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) url.searchParams.set(unescape(m[1]!), unescape(m[2]!));
  return url.href;
}

function unescape(s: string): string {
  return s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Types the address or slug on /login/sso and returns the identity provider's URL it leads to. */
export async function startSso(client: TestClient, emailOrSlug: string): Promise<string> {
  const res = await client.submit("/login/sso", { email_or_slug: emailOrSlug });
  assert.equal(res.status, 200, `POST /login/sso answered ${res.status}`);
  return idpUrlOf(res);
}

/**
 * Follows redirects from `url` like a browser (the client's cookies go along) until a page answers
 * that is not a redirect, or until `stopAt` matches a URL about to be requested (returned unrequested).
 */
export async function follow(client: TestClient, url: string, stopAt?: (url: URL) => boolean): Promise<{ page: Page; url: string }> {
  let current = new URL(url);
  for (let hops = 0; hops < 20; hops++) {
    if (stopAt?.(current)) return { page: { status: 0, location: null, html: "", headers: new Headers() }, url: current.href };
    const page = await client.get(current.href);
    if (page.status < 300 || page.status >= 400 || !page.location) return { page, url: current.href };
    current = new URL(page.location, current);
  }
  throw new Error(`too many redirects from ${url}`);
}

/**
 * An organization "acme" (owner "owner") with acme.test verified and OIDC set up by its owner through
 * the settings page, against the test IdP; returns the owner's signed-in client too.
 */
export async function buildOrgWithOidc(baseUrl: string, idp: OidcTestIdp) {
  const owner = await buildUser({ username: "owner", email: "owner@elsewhere.test" });
  const org = await buildOrg(owner, { slug: "acme", name: "Acme" });
  await verifyDomain(org, "acme.test");
  idp.allowRedirectUri(`${baseUrl}/sso/${org.id}/oidc/callback`);
  const ownerClient = await loginAs(baseUrl, owner);
  const page = "/orgs/acme/settings/sso";
  const res = await ownerClient.submit(page, { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret }, `${page}/oidc`);
  assert.equal(res.status, 302, `saving OIDC answered ${res.status}: ${fieldError(res.html, "issuer") ?? ""}`);
  return { owner, org, ownerClient };
}
