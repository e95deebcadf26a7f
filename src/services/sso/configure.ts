import type { AppContext } from "../../context";
import { db } from "../../db/knex";
import { deleteSsoProvider, findSsoProvider, updateSsoPolicy, upsertSsoProvider, type SsoProviderRow } from "../../db/organization-sso";
import type { OrganizationRow } from "../../db/organizations";
import { forbidden, notFound, ValidationError } from "../../lib/errors";
import { canManageDomains, type Actor } from "../../policies/organizations";
import { orgEventActor, recordOrgEvent } from "../organization-log";
import { discoverIssuer } from "./oidc";
import { outboundFetch } from "./outbound";
import { certificatePem, parseIdpMetadata, type SamlIdpSettings } from "./saml-metadata";

/**
 * Setting an organization's identity provider: owners in person only (the same rule as verified
 * domains: whoever controls the IdP controls who walks in). Every setting is tested before it is
 * saved — the OIDC issuer's discovery document is fetched, SAML metadata is fetched or parsed and
 * its certificate read — so a typo is a 422 beside its field, not a broken sign-in later. Each
 * change is one transaction with its entry in the organization's audit log.
 */

/** The OIDC form's fields. An empty secret keeps the stored one (it is never shown again). */
export interface OidcSettingsInput {
  issuer: string;
  client_id: string;
  client_secret: string;
}

/** The SAML form's fields: a metadata URL, pasted metadata, or the three settings by hand. */
export interface SamlSettingsInput {
  metadata_url: string;
  metadata_xml: string;
  entity_id: string;
  sso_url: string;
  certificate: string;
}

const FETCH_TIMEOUT_MS = 10_000;

function ownerOrRefuse(actor: Actor) {
  if (!canManageDomains(actor)) throw forbidden();
}

/** An http(s) URL, https in production; or the field's 422. */
function urlOrRefuse(ctx: AppContext, field: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError({ [field]: "Enter a full URL, like https://idp.example.com." });
  }
  // An identity provider's answers decide who signs in: only TLS protects them on the way.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !ctx.config.isProduction)) {
    throw new ValidationError({ [field]: "The URL must start with https://." });
  }
  return url;
}

/** Tests and saves an OpenID Connect provider for `org`. */
export async function configureOidc(ctx: AppContext, org: OrganizationRow, actor: Actor, input: OidcSettingsInput): Promise<SsoProviderRow> {
  ownerOrRefuse(actor);
  const issuer = urlOrRefuse(ctx, "issuer", input.issuer).href.replace(/\/$/, "");
  const existing = await findSsoProvider(org.id);
  const keptSecret = existing?.protocol === "oidc" && existing.oidc_issuer === issuer ? existing.oidc_client_secret_sealed : null;
  if (!input.client_secret && !keptSecret) throw new ValidationError({ client_secret: "Enter the client secret your identity provider gave you." });
  const secret = input.client_secret || ctx.secretBox.open(keptSecret!);
  if (secret === undefined) throw new ValidationError({ client_secret: "Enter the client secret again: the stored one cannot be read any more." });
  let metadata: Record<string, unknown>;
  try {
    metadata = await discoverIssuer(issuer, input.client_id, secret, { allowHttp: !ctx.config.isProduction, allowPrivateNetworks: ctx.config.ssoAllowPrivateNetworks });
  } catch (err) {
    throw new ValidationError({ issuer: `We could not read this issuer’s discovery document (${issuer}/.well-known/openid-configuration): ${(err as Error).message}` });
  }
  return db.transaction(async (trx) => {
    const row = await upsertSsoProvider(org.id, {
      protocol: "oidc", oidc_issuer: issuer, oidc_client_id: input.client_id,
      // Sealed at rest: a database dump alone must not let anyone act as our client at the IdP.
      oidc_client_secret_sealed: input.client_secret ? ctx.secretBox.seal(input.client_secret) : keptSecret,
      oidc_metadata: metadata, saml_entity_id: null, saml_sso_url: null, saml_certificate: null,
    }, trx);
    await recordOrgEvent(org.id, orgEventActor(actor), "sso.configured", { protocol: "oidc", issuer }, trx);
    return row;
  });
}

async function fetchMetadata(ctx: AppContext, url: URL): Promise<string> {
  try {
    const res = await outboundFetch(ctx.config.ssoAllowPrivateNetworks)(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
    if (!res.ok) throw new Error(`it answered ${res.status}`);
    return await res.text();
  } catch (err) {
    throw new ValidationError({ metadata_url: `We could not fetch this metadata: ${(err as Error).message}` });
  }
}

async function samlSettingsOf(ctx: AppContext, input: SamlSettingsInput): Promise<SamlIdpSettings> {
  if (input.metadata_url || input.metadata_xml) {
    const field = input.metadata_url ? "metadata_url" : "metadata_xml";
    const xml = input.metadata_url ? await fetchMetadata(ctx, urlOrRefuse(ctx, "metadata_url", input.metadata_url)) : input.metadata_xml;
    const parsed = parseIdpMetadata(xml);
    if (!parsed.ok) throw new ValidationError({ [field]: parsed.error });
    if (!parsed.idp.entityId) throw new ValidationError({ [field]: "This metadata has no entity id." });
    urlOrRefuse(ctx, field, parsed.idp.ssoUrl);
    return parsed.idp;
  }
  const errors: Record<string, string> = {};
  if (!input.entity_id) errors.entity_id = "Enter the identity provider’s entity id, or give its metadata above.";
  if (!input.sso_url) errors.sso_url = "Enter the identity provider’s single sign-on URL.";
  const certificate = certificatePem(input.certificate);
  if (!certificate) errors.certificate = "Paste the identity provider’s signing certificate (PEM, “-----BEGIN CERTIFICATE-----”).";
  if (Object.keys(errors).length) throw new ValidationError(errors);
  urlOrRefuse(ctx, "sso_url", input.sso_url);
  return { entityId: input.entity_id, ssoUrl: input.sso_url, certificate: certificate! };
}

/** Tests and saves a SAML 2.0 provider for `org`. */
export async function configureSaml(ctx: AppContext, org: OrganizationRow, actor: Actor, input: SamlSettingsInput): Promise<SsoProviderRow> {
  ownerOrRefuse(actor);
  const idp = await samlSettingsOf(ctx, input);
  return db.transaction(async (trx) => {
    const row = await upsertSsoProvider(org.id, {
      protocol: "saml", saml_entity_id: idp.entityId, saml_sso_url: idp.ssoUrl, saml_certificate: idp.certificate,
      oidc_issuer: null, oidc_client_id: null, oidc_client_secret_sealed: null, oidc_metadata: null,
    }, trx);
    await recordOrgEvent(org.id, orgEventActor(actor), "sso.configured", { protocol: "saml", entity_id: idp.entityId }, trx);
    return row;
  });
}

/** Sets whether members must sign in through the IdP, and how long an SSO sign-in counts. */
export async function setSsoPolicy(org: OrganizationRow, actor: Actor, policy: { require_sso: boolean; session_lifetime_hours: number }): Promise<void> {
  ownerOrRefuse(actor);
  await db.transaction(async (trx) => {
    if (!(await findSsoProvider(org.id, trx))) throw notFound("Identity provider");
    await updateSsoPolicy(org.id, policy, trx);
    await recordOrgEvent(org.id, orgEventActor(actor), "sso.policy_changed", policy, trx);
  });
}

/** Removes the organization's IdP; members' SSO identities stay listed but can no longer be used. */
export async function removeSsoProvider(org: OrganizationRow, actor: Actor): Promise<void> {
  ownerOrRefuse(actor);
  await db.transaction(async (trx) => {
    const removed = await deleteSsoProvider(org.id, trx);
    if (!removed) throw notFound("Identity provider");
    await recordOrgEvent(org.id, orgEventActor(actor), "sso.removed", { protocol: removed.protocol }, trx);
  });
}
