import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { createPassport } from "../../http/passport";
import { findEnabledProvider } from "../../auth/providers";
import { callbackFailureStatus } from "../../auth/providers/callback-errors";
import type { ExternalProfile } from "../../auth/providers/types";
import type { AppContext } from "../../context";
import type { ProviderName } from "../../config";
import { findIdentityForUserByProvider } from "../../db/identities";
import { flash } from "../../http/flash";
import { consumeOrThrow } from "../../services/rate-limits";
import { beginSignIn } from "../../http/sign-in";
import { keptValues, type Valid } from "../../http/validate";
import { notFound } from "../../lib/errors";
import { emailSchema } from "../../lib/handles";
import { completeSignupWithEmail, linkIdentity, providerLabel, signInWithIdentity } from "../../services/external-sign-in";
import { requestMeta } from "../../http/request-meta";
import { UNCONFIRMED_ACCOUNT_DAYS } from "../../services/unconfirmed-accounts";
import { signIns } from "../../metrics/registry";
import { providerSignupRefusal } from "../../services/signup-gate";
import { SUSPENDED_MESSAGE } from "../../services/suspension";
import { safeNextPath } from "../../http/safe-redirect";
import { checkBackingsAtSignIn } from "../../services/org-backing-recheck";
import { finishProviderReauth } from "./provider-reauth";
import type {} from "../../http/session-keys";
import { renderConfirmPending } from "../../http/confirm-pending";

/** How long a started provider flow (and a pending sign-up waiting for an address) stays usable. */
const FLOW_MS = 15 * 60_000;

type PassportInstance = ReturnType<typeof createPassport>;

function enabledOr404(ctx: AppContext, req: Request) {
  const provider = findEnabledProvider(ctx.config, String(req.params.provider), ctx.settings.current());
  if (!provider) throw notFound();
  return provider;
}

/** GET /auth/:provider — a page with the button that starts the flow (starting takes a POST). */
export function showProviderStart(ctx: AppContext) {
  return (req: Request, res: Response) => {
    const provider = enabledOr404(ctx, req);
    if (req.user) return res.redirect("/");
    res.render("auth/provider-start", { title: `Continue with ${provider.label}`, provider: { name: provider.name, label: provider.label } });
  };
}

/**
 * POST /auth/:provider — starts sign-in, sign-up or (with intent=link) linking, and sends the
 * browser to the provider. A POST carrying the CSRF token, never a GET: otherwise any site could
 * start a link flow in a signed-in victim's browser and attach the attacker's identity (login CSRF).
 * What the flow is for is kept in the session, not in the URL the provider sends back.
 */
export function startProviderAuth(ctx: AppContext, passport: PassportInstance) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const provider = enabledOr404(ctx, req);
    const intent = req.body?.intent === "link" ? "link" : req.body?.intent === "reauth" ? "reauth" : "login";
    if (intent === "reauth") {
      // A fresh sign-in through a linked provider as the proof before a sensitive action.
      if (!req.user) return res.status(401).render("errors/401");
    } else if (intent === "link") {
      if (!req.user) return res.status(401).render("errors/401");
      // Unconfirmed accounts cannot link (see the decision tree in services/external-sign-in.ts).
      if (!req.user.email_confirmed_at) return renderConfirmPending(req, res, 403);
      if (await findIdentityForUserByProvider(req.user.id, provider.name)) {
        flash(req, "info", `A ${provider.label} account is already connected. Disconnect it first to connect another.`);
        return res.redirect("/settings/identities");
      }
    } else if (req.user) {
      return res.redirect("/");
    }
    const returnTo = intent === "reauth" ? safeNextPath(req.body?.returnTo, "/settings/security") : undefined;
    req.session.externalAuth = { provider: provider.name, intent, userId: req.user?.id, startedAt: Date.now(), returnTo };
    passport.authenticate(provider.name, { session: false })(req, res, next);
  };
}

/**
 * GET /auth/:provider/callback — the provider sends the browser back here. The flow record is
 * taken out of the session first (single use), then Passport checks `state` against the value it
 * stored in this same session (and deletes it) and exchanges the code, with the PKCE verifier where
 * used. Every failure — consent denied, replayed or foreign state, bad code, provider down — ends on
 * a page that says what happened, never a 500.
 */
export function handleProviderCallback(ctx: AppContext, passport: PassportInstance) {
  return (req: Request, res: Response, next: NextFunction) => {
    const provider = enabledOr404(ctx, req);
    const flow = req.session.externalAuth;
    delete req.session.externalAuth;
    const label = provider.label;
    const retry = flow?.intent === "link" ? "/settings/identities" : flow?.intent === "reauth" ? "/settings/reauthenticate" : "/login";
    const fail = (status: number, heading: string, message: string) => {
      if (flow?.intent !== "link" && flow?.intent !== "reauth") signIns.inc({ method: provider.name, result: "failure" });
      res.status(status).render("auth/provider-error", { title: heading, heading, message, retry });
    };
    if (!flow || flow.provider !== provider.name || Date.now() - flow.startedAt > FLOW_MS) {
      return fail(400, "This sign-in link has expired", `This ${label} sign-in was not started in this browser, took too long, or was already used. Start again.`);
    }
    if (req.query.error === "access_denied") {
      return fail(400, `${label} sign-in cancelled`, `${label} did not share your account with Gatehouse, so nothing changed. You can try again whenever you like.`);
    }
    passport.authenticate(provider.name, { session: false }, (err: unknown, profile: ExternalProfile | false) => {
      if (err) {
        // A used, expired or invented code is what the browser brought (4xx); only a provider that
        // fails or cannot be reached is a 5xx, which operators watch (src/auth/providers/callback-errors.ts).
        const status = callbackFailureStatus(err);
        req.log.warn({ provider: provider.name, status, err: (err as Error).message }, "provider sign-in failed");
        if (status === 400) return fail(400, "This sign-in link has expired", `This ${label} sign-in could not be completed: the code it came back with was already used, has expired or is not valid. Start again.`);
        return fail(status, `${label} sign-in did not work`, `We could not complete the sign-in with ${label}: it refused the request or could not be reached. Please try again in a moment.`);
      }
      if (!profile) {
        return fail(400, "This sign-in link has expired", `This ${label} sign-in could not be verified as the one started in this browser. Start again.`);
      }
      const done = flow.intent === "link" ? finishLink(ctx, req, res, flow.userId, profile)
        : flow.intent === "reauth" ? finishProviderReauth(req, res, flow, profile)
        : finishSignIn(ctx, req, res, profile);
      done.catch(next);
    })(req, res, next);
  };
}

async function finishLink(ctx: AppContext, req: Request, res: Response, userId: number | undefined, profile: ExternalProfile) {
  const label = providerLabel(profile.provider);
  // The flow must come back to the account that started it; a sign-out or switch in between voids it.
  if (!req.user || req.user.id !== userId) {
    return res.status(400).render("auth/provider-error", {
      title: "Sign in again",
      heading: "Sign in again",
      message: `You were signed out while connecting ${label}. Sign in and connect it again from settings.`,
      retry: "/login",
    });
  }
  const outcome = await linkIdentity(ctx, req.user.id, profile, requestMeta(req));
  if (outcome.kind === "linked") flash(req, "success", `${label} account ${profile.username} is now connected. You can use it to sign in.`);
  else if (outcome.kind === "already_linked") flash(req, "info", `${label} account ${profile.username} was already connected.`);
  else if (outcome.reason === "other_account") flash(req, "error", `The ${label} account ${profile.username} is already connected to another Gatehouse account, so it was not connected to this one.`);
  else if (outcome.reason === "provider_taken") flash(req, "error", `Another ${label} account is already connected. Disconnect it first to connect a different one.`);
  else return renderConfirmPending(req, res, 403);
  res.redirect("/settings/identities");
}

/** The organization-backing checks of a sign-in with a provider identity (not an organization's SSO); errors are logged, never raised. */
async function checkBackings(ctx: AppContext, req: Request, userId: number, profile: ExternalProfile): Promise<void> {
  if (profile.provider.startsWith("sso:")) return;
  await checkBackingsAtSignIn(ctx, userId, profile.provider as ProviderName, { id: profile.id, username: profile.username }).catch((err: unknown) => req.log.warn({ err }, "organization backing check at sign-in failed"));
}

async function finishSignIn(ctx: AppContext, req: Request, res: Response, profile: ExternalProfile) {
  const label = providerLabel(profile.provider);
  const outcome = await signInWithIdentity(ctx, profile);
  switch (outcome.kind) {
    case "signed_in":
      // A sign-in rechecks the organizations backed by groups whose members are known by this identity (joins or removals); it never fails the sign-in.
      await checkBackings(ctx, req, outcome.user.id, profile);
      // A provider sign-in is one factor: with two-factor authentication on it stops at /login/two-factor.
      return res.redirect(await beginSignIn(req, outcome.user, { remember: false, method: profile.provider, next: "/" }));
    case "created": {
      await checkBackings(ctx, req, outcome.user.id, profile);
      // Where beginSignIn says: the "about you" step first, as after a password sign-up.
      const to = await beginSignIn(req, outcome.user, { remember: false, method: profile.provider, next: "/" });
      flash(req, "success", `Welcome! Your account was created with ${label}. Your username is ${outcome.user.username}; you can change it in settings.`);
      return res.redirect(to);
    }
    case "email_taken":
      return res.status(409).render("auth/provider-conflict", { title: "You already have an account", label, email: outcome.email });
    case "unconfirmed":
      // Branch 6: an identity that never vouched for the address cannot open the account yet.
      req.session.heldIdentity = { provider: profile.provider, providerUserId: profile.id };
      return res.status(403).render("auth/provider-unconfirmed", { title: "Confirm your email first", label, days: UNCONFIRMED_ACCOUNT_DAYS });
    case "suspended":
      return res.status(403).render("auth/provider-error", { title: "Account suspended", heading: "Account suspended", message: SUSPENDED_MESSAGE, retry: "/login" });
    case "signup_refused":
      return res.status(403).render("auth/provider-error", { title: "No new accounts", heading: "No new accounts", message: outcome.message, retry: "/login" });
    case "needs_email":
      req.session.pendingIdentity = { profile, startedAt: Date.now() };
      return res.redirect(`/auth/${profile.provider}/email`);
  }
}

function pendingFor(req: Request, provider: string): ExternalProfile | undefined {
  const pending = req.session.pendingIdentity;
  if (!pending || pending.profile.provider !== provider || Date.now() - pending.startedAt > FLOW_MS) return undefined;
  return pending.profile;
}

/** POST /auth/:provider/email. */
export const ProviderEmailForm = z.object({ email: emailSchema });

/** GET /auth/:provider/email — asks for an address when the provider gave no verified one (and again on a 422). */
export function showProviderEmail(ctx: AppContext) {
  return (req: Request, res: Response) => {
    const provider = enabledOr404(ctx, req);
    const profile = pendingFor(req, provider.name);
    if (!profile) {
      flash(req, "info", `Start again with ${provider.label}.`);
      return res.redirect("/signup");
    }
    res.render("auth/provider-email", { title: "Add your email address", label: provider.label, provider: provider.name, profile });
  };
}

/**
 * POST /auth/:provider/email — creates the unconfirmed account and mails the confirmation link.
 * The answer is "check your email" whether or not the address already has an account (the owner
 * gets a notice instead), exactly like password sign-up, so this form cannot probe for accounts.
 */
export function submitProviderEmail(ctx: AppContext) {
  return async (req: Valid<typeof ProviderEmailForm>, res: Response) => {
    const provider = enabledOr404(ctx, req);
    const profile = pendingFor(req, provider.name);
    if (!profile) {
      flash(req, "info", `Start again with ${provider.label}.`);
      return res.redirect("/signup");
    }
    // The instance's rules again: the settings may have changed since the address was asked for.
    const refused = providerSignupRefusal(ctx.settings.current(), req.body.email);
    if (refused) {
      return res.status(refused.field === "email" ? 422 : 403).render("auth/provider-email", { title: "Add your email address", label: provider.label, provider: provider.name, profile, values: keptValues(req.body), errors: { [refused.field]: refused.message } });
    }
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    delete req.session.pendingIdentity;
    // Kept whatever the address led to, so the session says nothing about whether it had an account.
    req.session.heldIdentity = { provider: profile.provider, providerUserId: profile.id };
    await completeSignupWithEmail(ctx, profile, req.body.email);
    res.render("auth/check-email", { title: "Check your email", email: req.body.email, reason: "signup" });
  };
}
