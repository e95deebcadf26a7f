import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import {
  backingAuthorizeUrl, exchangeBackingCode, fetchGitHubAccount, GitHubTokenRejected, listAdministeredGitHubOrgs, newAuthorizationSecrets,
} from "../../../auth/providers/github-orgs";
import { findIdentityForUserByProvider } from "../../../db/identities";
import { findOrganizationBacking } from "../../../db/organization-backings";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import type { Valid } from "../../../http/validate";
import { notFound, ValidationError } from "../../../lib/errors";
import { canManageBacking, canManageInvitations } from "../../../policies/organizations";
import { changeBackingSelfJoin, connectBacking, disconnectBacking, gitHubConfig, inviteBackedPerson, listInvitablePeople } from "../../../services/org-backing";
import { orgPath } from "./helpers";

/**
 * Backing an organization with a GitHub organization (owners in person, sudo). The authorization
 * is its own OAuth flow, not the sign-in one: it asks GitHub for `read:org` only, with its own
 * state and PKCE verifier in the session, and comes back to /auth/github/callback/org-backing (a
 * path under the sign-in callback URL, which GitHub accepts for the same OAuth app). The token must
 * belong to the GitHub account the owner linked, so nobody backs an organization with a token of
 * someone else's account.
 */

const FLOW_MS = 15 * 60_000;
const settingsPath = (slug: string) => orgPath(slug, "/settings");
const callbackUrl = (ctx: AppContext) => `${ctx.config.baseUrl}/auth/github/callback/org-backing`;

/** Loads the organization's backing (and whether the owner linked GitHub) for the settings page. */
export function loadBacking(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (canManageBacking(req.actor ?? null) && gitHubConfig(ctx)) {
      res.locals.backing = {
        row: (await findOrganizationBacking(req.org!.id)) ?? null,
        linked: Boolean(await findIdentityForUserByProvider(req.user!.id, "github")),
      };
    }
    next();
  };
}

/** Loads the people of the backing GitHub organization to invite, for the invitations page. */
export function loadBackedPeople(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const backing = canManageInvitations(req.actor ?? null) ? await findOrganizationBacking(req.org!.id) : undefined;
    if (backing) res.locals.backed = { login: backing.provider_org_login, people: await listInvitablePeople(ctx, backing) };
    next();
  };
}

/** POST /orgs/:org/settings/backing/github/start — sends the owner to GitHub to grant read:org. */
export function startBacking(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const config = gitHubConfig(ctx);
    if (!config) throw notFound();
    if (!(await findIdentityForUserByProvider(req.user!.id, "github"))) {
      flash(req, "error", "Connect your GitHub account in your settings first.");
      return res.redirect(settingsPath(req.org!.slug));
    }
    const { state, verifier } = newAuthorizationSecrets();
    req.session.orgBacking = { organizationId: req.org!.id, slug: req.org!.slug, userId: req.user!.id, state, verifier, startedAt: Date.now() };
    res.redirect(backingAuthorizeUrl(config, callbackUrl(ctx), state, verifier));
  };
}

const sameState = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * GET /auth/github/callback/org-backing — GitHub sends the browser back here. The state must be the
 * one this session stored for this signed-in owner; the code is kept in the flow and the browser
 * moves on to the organization's page, where the organization is loaded and the owner authorized
 * the usual way before the code is used.
 */
export function receiveBackingCallback(req: Request, res: Response) {
  const flow = req.session.orgBacking;
  const state = typeof req.query.state === "string" ? req.query.state : "";
  if (!flow || flow.code || flow.userId !== req.user?.id || Date.now() - flow.startedAt > FLOW_MS || !sameState(flow.state, state)) {
    delete req.session.orgBacking;
    return res.status(400).render("auth/provider-error", {
      title: "This link has expired",
      heading: "This link has expired",
      message: "This GitHub authorization was not started in this browser, took too long, or was already used. Start again from the organization's settings.",
      retry: "/",
    });
  }
  const code = typeof req.query.code === "string" ? req.query.code : "";
  if (req.query.error || !code) {
    delete req.session.orgBacking;
    flash(req, "info", "GitHub did not grant access, so nothing changed.");
    return res.redirect(settingsPath(flow.slug));
  }
  req.session.orgBacking = { ...flow, code };
  res.redirect(orgPath(flow.slug, "/settings/backing/github"));
}

/**
 * GET /orgs/:org/settings/backing/github — uses the code (once), checks the token is of the
 * owner's linked GitHub account and has read:org, and lists the GitHub organizations it administers
 * to choose from; or that list again.
 */
export function showBackingChoice(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const config = gitHubConfig(ctx);
    if (!config) throw notFound();
    const org = req.org!;
    const userId = req.user!.id;
    const flow = req.session.orgBacking;
    if (flow?.code && flow.organizationId === org.id && flow.userId === userId) {
      delete req.session.orgBacking;
      const refused = (message: string) => res.status(403).render("auth/provider-error", { title: "Not connected", heading: "Not connected", message, retry: settingsPath(org.slug) });
      const granted = await exchangeBackingCode(config, callbackUrl(ctx), flow.code, flow.verifier).catch((err: unknown) => {
        req.log.warn({ err }, "GitHub's token exchange for backing failed");
        return null;
      });
      if (granted === null) return res.status(502).render("auth/provider-error", { title: "GitHub did not answer", heading: "GitHub did not answer", message: "We could not reach GitHub. Try again in a moment.", retry: settingsPath(org.slug) });
      if (!granted) return refused("GitHub refused the authorization code: it was already used or has expired. Start again.");
      if (!granted.scopes.includes("read:org")) return refused("GitHub did not grant read:org, which is needed to read your organizations' members.");
      const identity = await findIdentityForUserByProvider(userId, "github");
      let orgs;
      try {
        const account = await fetchGitHubAccount(config, granted.token);
        // The token must be of the GitHub account linked to this owner, not another one signed in at GitHub.
        if (!identity || identity.provider_user_id !== account.id) return refused("You authorized a different GitHub account than the one connected to your Gatehouse account.");
        orgs = await listAdministeredGitHubOrgs(config, granted.token);
      } catch (err) {
        if (err instanceof GitHubTokenRejected) return refused("GitHub refused the new token. Start again.");
        req.log.warn({ err }, "listing GitHub organizations for backing failed");
        return res.status(502).render("auth/provider-error", { title: "GitHub did not answer", heading: "GitHub did not answer", message: "We could not read your GitHub organizations. Try again in a moment.", retry: settingsPath(org.slug) });
      }
      req.session.orgBackingChoice = { organizationId: org.id, userId, tokenSealed: ctx.secretBox.seal(granted.token), orgs, startedAt: Date.now() };
    }
    const choice = currentChoice(req);
    if (!choice) return res.redirect(settingsPath(org.slug));
    res.render("orgs/backing-choose", { title: `Back with GitHub · ${org.name}`, tab: "settings", orgs: choice.orgs });
  };
}

function currentChoice(req: Request) {
  const choice = req.session.orgBackingChoice;
  if (!choice || choice.organizationId !== req.org!.id || choice.userId !== req.user!.id || Date.now() - choice.startedAt > FLOW_MS) return undefined;
  return choice;
}

/** POST /orgs/:org/settings/backing/github: the GitHub organization chosen, by its numeric id. */
export const BackingChoiceForm = z.object({ provider_org_id: z.string().trim().regex(/^\d{1,20}$/, "Choose one of the GitHub organizations you administer.") });

/** POST /orgs/:org/settings/backing/github — backs the organization with the chosen GitHub organization. */
export function submitBackingChoice(ctx: AppContext) {
  return async (req: Valid<typeof BackingChoiceForm>, res: Response) => {
    const choice = currentChoice(req);
    const token = choice ? ctx.secretBox.open(choice.tokenSealed) : undefined;
    if (!choice || !token) {
      flash(req, "info", "That took too long. Start again.");
      return res.redirect(settingsPath(req.org!.slug));
    }
    const chosen = await connectBacking(ctx, req.org!, { user_id: req.user!.id, username: req.user!.username }, token, choice.orgs, req.body.provider_org_id);
    delete req.session.orgBackingChoice;
    flash(req, "success", `${req.org!.name} is now backed by the GitHub organization ${chosen.login}.`);
    res.redirect(settingsPath(req.org!.slug));
  };
}

/** POST /orgs/:org/settings/backing/self-join: the checkbox. */
export const SelfJoinForm = z.object({ self_join: z.literal("yes").optional() });

/** POST /orgs/:org/settings/backing/self-join — lets the GitHub organization's members join at sign-in, or stops it. */
export async function submitSelfJoin(req: Valid<typeof SelfJoinForm>, res: Response) {
  if (!(await findOrganizationBacking(req.org!.id))) throw notFound();
  const on = req.body.self_join === "yes";
  await changeBackingSelfJoin(req.org!, { user_id: req.user!.id, username: req.user!.username }, on);
  flash(req, "success", on ? "Members of the GitHub organization can now join when they sign in with GitHub." : "Members of the GitHub organization now need an invitation.");
  res.redirect(settingsPath(req.org!.slug));
}

/** GET /orgs/:org/settings/backing/remove — asks before backing is turned off. */
export async function showStopBacking(req: Request, res: Response) {
  const backing = await findOrganizationBacking(req.org!.id);
  if (!backing) throw notFound();
  res.render("orgs/confirm", {
    title: `Stop backing · ${req.org!.name}`,
    tab: "settings",
    heading: "Stop backing with GitHub",
    message: `${req.org!.name} will no longer follow the GitHub organization ${backing.provider_org_login}, and the GitHub token stored for it is deleted. Members stay members.`,
    action: orgPath(req.org!.slug, "/settings/backing/remove"),
    button: "Stop backing and delete the token",
    back: settingsPath(req.org!.slug),
  });
}

/** POST /orgs/:org/settings/backing/remove — turns backing off and deletes the stored token. */
export async function submitStopBacking(req: Request, res: Response) {
  if (!(await disconnectBacking(req.org!, { user_id: req.user!.id, username: req.user!.username }))) throw notFound();
  flash(req, "success", "Backing is off and the GitHub token was deleted.");
  res.redirect(settingsPath(req.org!.slug));
}

/**
 * POST /orgs/:org/invitations/github/:id — invites, with one click, a person of the backing GitHub
 * organization (by their Gatehouse user id) as member; a refusal of the invitation rules is flashed.
 */
export function submitInviteBacked(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const backing = await findOrganizationBacking(req.org!.id);
    if (!backing) throw notFound();
    const back = orgPath(req.org!.slug, "/invitations");
    try {
      const invited = await inviteBackedPerson(ctx, req.org!, backing, req.actor!, { id: req.user!.id, name: req.user!.username }, idParam(req.params.id, "Person"));
      flash(req, "success", `Invited ${invited.username} as member.`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      flash(req, "error", Object.values(err.fields)[0] ?? err.message);
    }
    res.redirect(back);
  };
}
