import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { findSsoProvider } from "../../../db/organization-sso";
import { flash } from "../../../http/flash";
import type { Valid } from "../../../http/validate";
import { configureOidc, configureSaml, removeSsoProvider, setSsoPolicy } from "../../../services/sso/configure";
import { certificateSummary } from "../../../services/sso/saml-metadata";
import { ssoUrls } from "../../../services/sso/urls";
import { domainsPage } from "./domains";
import { orgPath } from "./helpers";

const url = (field: string) => z.string().trim().max(2048, `That ${field} is too long.`);

/** POST /orgs/:org/settings/sso/oidc. */
export const OidcForm = z.object({
  issuer: url("issuer").min(1, "Enter the issuer URL, like https://example.okta.com."),
  client_id: z.string().trim().min(1, "Enter the client id.").max(512, "That client id is too long."),
  client_secret: z.string().trim().max(2048, "That client secret is too long.").default(""),
});

/** POST /orgs/:org/settings/sso/saml: metadata (a URL or pasted), or the settings by hand. */
export const SamlForm = z.object({
  metadata_url: url("URL").default(""),
  metadata_xml: z.string().trim().max(100_000, "That metadata is too long.").default(""),
  entity_id: z.string().trim().max(1024, "That entity id is too long.").default(""),
  sso_url: url("URL").default(""),
  certificate: z.string().trim().max(20_000, "That certificate is too long.").default(""),
});

/** POST /orgs/:org/settings/sso/policy. */
export const SsoPolicyForm = z.object({
  require_sso: z.literal("yes").optional(),
  session_lifetime_hours: z.coerce.number("Enter a number of hours.").int("Enter whole hours.").min(1, "At least 1 hour.").max(720, "At most 720 hours (30 days)."),
});

/**
 * Route step for the single sign-on page: the organization's IdP (never its client secret; its SAML
 * certificate by subject, expiry and fingerprint, which owners compare with their IdP's console) and
 * what its administrators need from us: our redirect URI, ACS URL, entity id and metadata URL.
 */
export function loadSsoSettings(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const provider = await findSsoProvider(req.org!.id);
    res.locals.sso = {
      provider: provider && {
        protocol: provider.protocol,
        issuer: provider.oidc_issuer,
        clientId: provider.oidc_client_id,
        entityId: provider.saml_entity_id,
        ssoUrl: provider.saml_sso_url,
        certificate: provider.saml_certificate ? certificateSummary(provider.saml_certificate) : undefined,
        requireSso: provider.require_sso,
        sessionLifetimeHours: provider.session_lifetime_hours,
      },
      ours: ssoUrls(ctx.config.baseUrl, req.org!.id),
    };
    next();
  };
}

/** POST /orgs/:org/settings/sso/oidc — tests (discovery) and saves an OpenID Connect provider. */
export function submitOidc(ctx: AppContext) {
  return async (req: Valid<typeof OidcForm>, res: Response) => {
    await configureOidc(ctx, req.org!, req.actor!, req.body);
    flash(req, "success", "OpenID Connect is set up. Try it: sign out and use “Sign in with SSO”.");
    res.redirect(domainsPage(req));
  };
}

/** POST /orgs/:org/settings/sso/saml — reads (metadata) and saves a SAML 2.0 provider. */
export function submitSaml(ctx: AppContext) {
  return async (req: Valid<typeof SamlForm>, res: Response) => {
    await configureSaml(ctx, req.org!, req.actor!, req.body);
    flash(req, "success", "SAML single sign-on is set up. Try it: sign out and use “Sign in with SSO”.");
    res.redirect(domainsPage(req));
  };
}

/** POST /orgs/:org/settings/sso/policy — whether members must come through the IdP, and for how long an SSO sign-in counts. */
export async function submitSsoPolicy(req: Valid<typeof SsoPolicyForm>, res: Response) {
  await setSsoPolicy(req.org!, req.actor!, { require_sso: req.body.require_sso === "yes", session_lifetime_hours: req.body.session_lifetime_hours });
  flash(req, "success", req.body.require_sso === "yes"
    ? `Members of ${req.org!.name} now reach it only after signing in with its single sign-on. Owners keep their other ways in.`
    : `Members of ${req.org!.name} can reach it however they signed in.`);
  res.redirect(domainsPage(req));
}

/** GET /orgs/:org/settings/sso/remove — asks before removing the identity provider. */
export function showRemoveSso(req: Request, res: Response) {
  res.render("orgs/confirm", {
    title: "Remove single sign-on?",
    tab: "settings",
    message: `Members can no longer sign in to ${req.org!.name} through its identity provider, and the SSO requirement ends. Accounts and memberships stay.`,
    action: orgPath(req.org!.slug, "/settings/sso/remove"),
    button: "Remove single sign-on",
    back: domainsPage(req),
  });
}

/** POST /orgs/:org/settings/sso/remove — removes the identity provider. */
export async function submitRemoveSso(req: Request, res: Response) {
  await removeSsoProvider(req.org!, req.actor!);
  flash(req, "success", "Single sign-on was removed.");
  res.redirect(domainsPage(req));
}
