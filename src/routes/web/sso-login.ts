import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { flash } from "../../http/flash";
import { allowFormActionTo } from "../../http/form-action-csp";
import { formValues, type Valid } from "../../http/validate";
import { safeNextPath } from "../../http/safe-redirect";
import { beginSignIn } from "../../http/sign-in";
import type { SsoFlow } from "../../http/session-keys";
import { idParam } from "../../http/params";
import { notFound, ValidationError } from "../../lib/errors";
import { signIns } from "../../metrics/registry";
import { SUSPENDED_MESSAGE } from "../../services/suspension";
import { finishOidc, startOidc, type OidcTransport } from "../../services/sso/oidc";
import { finishSaml, SamlRefused, spMetadata, startSaml } from "../../services/sso/saml";
import type { SsoProfile } from "../../services/sso/profile";
import { findSsoOrganization, findSsoOrganizationById, signInWithSso, ssoExternalProfile, type SsoOrganization } from "../../services/sso/sign-in";
import { linkIdentity } from "../../services/external-sign-in";
import { requestMeta } from "../../http/request-meta";
import { finishProviderReauth } from "./provider-reauth";
import { ssoUrls } from "../../services/sso/urls";

/** How long a started SSO sign-in stays usable. */
const FLOW_MS = 15 * 60_000;

/** The answer for an address or slug no organization uses SSO for: it says no more than that. */
export const NO_SSO_MESSAGE = "No organization uses single sign-on for that address or slug.";

/** POST /login/sso: a work email address or an organization's slug. */
export const SsoLoginForm = z.object({
  email_or_slug: z.string().trim().min(1, "Enter your work email address or your organization’s slug.").max(254, "That is too long."),
  next: z.string().optional(),
  intent: z.enum(["link", "reauth"]).optional(),
  returnTo: z.string().optional(),
});

const transportOf = (ctx: AppContext): OidcTransport => ({ allowHttp: !ctx.config.isProduction, allowPrivateNetworks: ctx.config.ssoAllowPrivateNetworks });

/** GET /login/sso — asks for the work address or the organization (and again on a 422). */
export function showSsoLogin(req: Request, res: Response) {
  const values = formValues(res, { email_or_slug: req.query.org ?? "", next: req.query.next });
  res.render("auth/sso-login", { title: "Sign in with SSO", values: { ...values, next: safeNextPath(values.next, "") } });
}

/**
 * POST /login/sso — finds the organization (by a verified domain of the address, or by slug) and
 * sends the browser to its identity provider, with what the answer must match kept in this
 * browser's session under the organization's id.
 */
export function submitSsoLogin(ctx: AppContext) {
  return async (req: Valid<typeof SsoLoginForm>, res: Response) => {
    const found = await findSsoOrganization(req.body.email_or_slug);
    if (!found) throw new ValidationError({ email_or_slug: NO_SSO_MESSAGE });
    // Linking is for a signed-in, confirmed account (the decision tree's branch 1), after sudo (route map).
    const linking = req.body.intent === "link" && req.user;
    if (linking && !req.user!.email_confirmed_at) return res.status(403).render("auth/confirm-pending", { title: "Confirm your email" });
    const linkUserId = linking ? req.user!.id : undefined;
    // A fresh sign-in through a linked IdP as the proof before a sensitive action (provider-reauth.ts decides).
    const reauth = req.body.intent === "reauth" && req.user ? { userId: req.user.id, returnTo: safeNextPath(req.body.returnTo, "/settings/security") } : undefined;
    const next = linking ? "/settings/identities" : safeNextPath(req.body.next);
    const urls = ssoUrls(ctx.config.baseUrl, found.org.id);
    let flow: SsoFlow;
    let url: string;
    if (found.provider.protocol === "oidc") {
      const started = await startOidc(found.provider, ctx.secretBox, transportOf(ctx), urls.oidcRedirectUri);
      flow = { protocol: "oidc", ...started.checks, startedAt: Date.now(), next, linkUserId, reauth };
      url = started.url;
    } else {
      const started = await startSaml(ctx.config.baseUrl, found.provider);
      flow = { protocol: "saml", requestId: started.requestId, startedAt: Date.now(), next, linkUserId, reauth };
      url = started.url;
    }
    req.session.ssoFlows = { ...req.session.ssoFlows, [found.org.id]: flow };
    // A page with a form to the IdP rather than a redirect: browsers hold the redirect after a form
    // post to this page's form-action ('self'), which only this response widens to the IdP's origin.
    const target = new URL(url);
    allowFormActionTo(res, target.origin);
    res.render("auth/sso-redirect", {
      title: `Continue to ${found.org.name}`,
      orgName: found.org.name,
      idpHost: target.host,
      action: `${target.origin}${target.pathname}`,
      params: [...target.searchParams.entries()],
    });
  };
}

/** Takes this browser's started flow for the organization out of the session (single use), unless stale. */
function takeFlow<P extends SsoFlow["protocol"]>(req: Request, organizationId: number, protocol: P): Extract<SsoFlow, { protocol: P }> | undefined {
  const flows = req.session.ssoFlows;
  const flow = flows?.[organizationId];
  if (!flows || !flow) return undefined;
  delete flows[organizationId];
  if (flow.protocol !== protocol || Date.now() - flow.startedAt > FLOW_MS) return undefined;
  return flow as Extract<SsoFlow, { protocol: P }>;
}

function ssoOrganizationOr404(req: Request): Promise<SsoOrganization> {
  return findSsoOrganizationById(idParam(req.params.id, "Organization")).then((found) => {
    if (!found) throw notFound();
    return found;
  });
}

function refuse(res: Response, status: number, heading: string, message: string) {
  signIns.inc({ method: "sso", result: "failure" });
  res.status(status).render("auth/provider-error", { title: heading, heading, message, retry: "/login/sso" });
}

/**
 * GET /sso/:id/oidc/callback — the issuer sends the browser back with a code. The flow must have
 * been started in this browser for this organization; openid-client checks state, exchanges the
 * code with the PKCE verifier and validates the ID token with its nonce. Every failure is a page
 * that says what happened, never a 500.
 */
export function handleOidcCallback(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const sso = await ssoOrganizationOr404(req);
    const flow = takeFlow(req, sso.org.id, "oidc");
    if (!flow || sso.provider.protocol !== "oidc") {
      return refuse(res, 400, "This sign-in link has expired", `This sign-in with ${sso.org.name}’s single sign-on was not started in this browser, took too long, or was already used. Start again.`);
    }
    if (typeof req.query.error === "string") {
      return refuse(res, 400, "Single sign-on did not complete", `${sso.org.name}’s identity provider did not sign you in (${req.query.error.slice(0, 100)}). Nothing changed.`);
    }
    let profile: SsoProfile;
    try {
      const callbackUrl = new URL(req.originalUrl, ssoUrls(ctx.config.baseUrl, sso.org.id).oidcRedirectUri);
      profile = await finishOidc(sso.provider, ctx.secretBox, transportOf(ctx), callbackUrl, flow);
    } catch (err) {
      req.log.warn({ organization: sso.org.id, err: (err as Error).message }, "OIDC sign-in refused");
      return refuse(res, 400, "Single sign-on did not complete", `The answer from ${sso.org.name}’s identity provider could not be verified, so nobody was signed in. Start again.`);
    }
    await finishSso(ctx, req, res, sso, profile, flow);
  };
}

/**
 * POST /sso/:id/saml/acs — the IdP posts its SAMLResponse here from its own page. A browser does
 * not send our SameSite=Lax session cookie with that cross-site POST, so when the session holds no
 * flow for this organization we answer a page that posts the same response to this same URL from
 * our own origin (automatically with JavaScript, with a button without), which does carry the
 * cookie. A second arrival without a flow is an unsolicited response, and is refused. This route
 * sits before the CSRF check (src/app.ts): the IdP's form cannot hold our token, and what protects
 * it is the signature and InResponseTo naming the request this session started.
 */
export function handleSamlResponse(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const sso = await ssoOrganizationOr404(req);
      const samlResponse = typeof req.body?.SAMLResponse === "string" ? req.body.SAMLResponse : "";
      if (!samlResponse || sso.provider.protocol !== "saml") return refuse(res, 400, "Single sign-on did not complete", "No SAML response arrived. Start again.");
      if (!req.session.ssoFlows?.[sso.org.id] && req.body.continued !== "1") {
        return res.render("auth/sso-continue", { title: "Continue signing in", action: req.originalUrl, samlResponse });
      }
      const flow = takeFlow(req, sso.org.id, "saml");
      if (!flow) {
        return refuse(res, 400, "This sign-in was not started here", `This response from ${sso.org.name}’s identity provider does not answer a sign-in started in this browser (or it took too long), so it was refused. Start from the sign-in page.`);
      }
      let profile: SsoProfile;
      try {
        profile = await finishSaml(ctx.config.baseUrl, sso.provider, samlResponse, { id: flow.requestId, startedAt: flow.startedAt });
      } catch (err) {
        if (!(err instanceof SamlRefused)) throw err;
        req.log.warn({ organization: sso.org.id, reason: err.detail }, "SAML response refused");
        return refuse(res, 400, "Single sign-on did not complete", `The answer from ${sso.org.name}’s identity provider was refused, so nobody was signed in. ${err.message} Start again.`);
      }
      await finishSso(ctx, req, res, sso, profile, flow);
    } catch (err) {
      next(err);
    }
  };
}

/** GET /sso/:id/saml/metadata — our SP metadata, public, for the IdP's administrators to load. */
export function showSamlMetadata(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const sso = await ssoOrganizationOr404(req);
    if (sso.provider.protocol !== "saml") throw notFound();
    res.type("application/samlmetadata+xml").send(await spMetadata(ctx.config.baseUrl, sso.provider));
  };
}

/** A returning flow: re-authenticating or linking for the account that started it, or signing in. */
async function finishSso(ctx: AppContext, req: Request, res: Response, sso: SsoOrganization, profile: SsoProfile, flow: SsoFlow) {
  if (flow.reauth) return finishProviderReauth(req, res, flow.reauth, ssoExternalProfile(sso.org.id, profile));
  if (flow.linkUserId !== undefined) return finishSsoLink(ctx, req, res, sso, profile, flow.linkUserId);
  return finishSsoSignIn(ctx, req, res, sso, profile, flow.next);
}

/** Links the IdP's subject to the account that asked (the tree's branches 1-5, services/external-sign-in.ts). */
async function finishSsoLink(ctx: AppContext, req: Request, res: Response, sso: SsoOrganization, profile: SsoProfile, userId: number) {
  const label = `${sso.org.name} single sign-on`;
  // The flow must come back to the account that started it; a sign-out or switch in between voids it.
  if (!req.user || req.user.id !== userId) return refuse(res, 400, "Sign in again", `You were signed out while connecting ${label}. Sign in and connect it again from settings.`);
  const outcome = await linkIdentity(ctx, userId, ssoExternalProfile(sso.org.id, profile), requestMeta(req));
  if (outcome.kind === "linked") flash(req, "success", `${label} is now connected. You can use it to sign in.`);
  else if (outcome.kind === "already_linked") flash(req, "info", `${label} was already connected.`);
  else if (outcome.reason === "other_account") flash(req, "error", `This ${label} account is already connected to another Gatehouse account, so it was not connected to this one.`);
  else if (outcome.reason === "provider_taken") flash(req, "error", `Another ${label} account is already connected. Disconnect it first.`);
  else return res.status(403).render("auth/confirm-pending", { title: "Confirm your email" });
  res.redirect("/settings/identities");
}

/** The decision tree's outcomes (services/sso/sign-in.ts) as pages; a sign-in goes through beginSignIn. */
async function finishSsoSignIn(ctx: AppContext, req: Request, res: Response, sso: SsoOrganization, profile: SsoProfile, next: string) {
  const label = `${sso.org.name} single sign-on`;
  const outcome = await signInWithSso(ctx, sso.org, profile);
  const first = { remember: false, method: "sso", next, ssoOrganizationId: sso.org.id };
  switch (outcome.kind) {
    case "signed_in":
      // One factor like any provider sign-in: with two-factor authentication on it stops at /login/two-factor.
      return res.redirect(await beginSignIn(req, outcome.user, first));
    case "created": {
      // A new account goes through the "about you" step, then to the organization it just joined
      // rather than the first-run choice of an organization to join.
      const to = await beginSignIn(req, outcome.user, { ...first, next: next === "/" ? `/orgs/${sso.org.slug}` : next });
      flash(req, "success", `Welcome! Your account was created through ${label} and you joined ${sso.org.name}. Your username is ${outcome.user.username}; you can change it in settings.`);
      return res.redirect(to);
    }
    case "email_taken":
      return res.status(409).render("auth/provider-conflict", { title: "You already have an account", label, email: outcome.email });
    case "suspended":
      return refuse(res, 403, "Account suspended", SUSPENDED_MESSAGE);
    case "signup_refused":
      return refuse(res, 403, "No new accounts", outcome.message);
    case "no_verified_email":
    case "unconfirmed":
    case "needs_email":
      return refuse(res, 403, "No verified email address", `${sso.org.name}’s identity provider did not vouch for an email address, so no account could be opened. Ask your administrator to send a verified email.`);
  }
}
