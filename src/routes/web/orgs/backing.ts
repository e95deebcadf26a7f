import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { backingCallbackUrl, configuredBacking, configuredBackingAdapters } from "../../../auth/providers/backing-adapters";
import { BackingTokenRejected, newAuthorizationSecrets, type BackingAdapter, type BackingGrant } from "../../../auth/providers/backing-api";
import type { ProviderConfig } from "../../../config";
import { findIdentityForUserByProvider, listIdentitiesForUser } from "../../../db/identities";
import { findOrganizationBacking } from "../../../db/organization-backings";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import type { Valid } from "../../../http/validate";
import { notFound, ValidationError } from "../../../lib/errors";
import { safeEqual } from "../../../lib/tokens";
import { canManageBacking, canManageInvitations } from "../../../policies/organizations";
import { adapterOf, changeBackingSelfJoin, connectBacking, disconnectBacking, inviteBackedPerson, listInvitablePeople } from "../../../services/org-backing";
import { orgPath } from "./helpers";

/**
 * Backing an organization with a GitHub organization, a GitLab group or a Bitbucket workspace
 * (owners in person, sudo); one set of routes, `:provider` naming the adapter. The authorization
 * is its own OAuth flow, not the sign-in one: it asks for the group-reading scope only (GitHub
 * read:org, GitLab read_api, Bitbucket account), with its own state and PKCE verifier in the
 * session (Bitbucket takes no PKCE; the session-bound state still applies), and comes back to
 * /auth/<provider>/callback/org-backing. The token must belong to the provider account the owner
 * linked (for Bitbucket: the Atlassian account, whose account id Bitbucket shares), so nobody backs
 * an organization with a token of someone else's account.
 */

const FLOW_MS = 15 * 60_000;
const settingsPath = (slug: string) => orgPath(slug, "/settings");

/** The provider the route names, configured; set by loadBackingProvider. */
interface BackingProviderLocal {
  adapter: BackingAdapter;
  config: ProviderConfig;
}

const providerOf = (res: Response) => res.locals.backingProvider as BackingProviderLocal;

/** Loads the provider a backing route names (`:provider`); unknown or unconfigured providers are a 404. */
export function loadBackingProvider(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const found = configuredBacking(ctx.config, String(req.params.provider));
    if (!found) throw notFound();
    res.locals.backingProvider = found satisfies BackingProviderLocal;
    next();
  };
}

/** Loads the organization's backing and, per configured provider, whether the owner linked the identity it needs, for the settings page. */
export function loadBacking(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!canManageBacking(req.actor ?? null)) return next();
    const row = (await findOrganizationBacking(req.org!.id)) ?? null;
    const offered = configuredBackingAdapters(ctx.config);
    if (!row && offered.length === 0) return next();
    // One read of the owner's identities answers "linked?" for every provider on the page.
    const linkedProviders = new Set((await listIdentitiesForUser(req.user!.id)).map((i) => i.provider));
    const linked = (a: BackingAdapter) => linkedProviders.has(a.identityProvider);
    const words = (a: BackingAdapter) => ({ name: a.name, label: a.label, groupNoun: a.groupNoun, identityLabel: a.identityLabel, scope: a.scope });
    const current = row ? adapterOf(row) : undefined;
    res.locals.backing = {
      row,
      provider: current && { ...words(current), configured: Boolean(current.config(ctx.config)), linked: linked(current) },
      options: offered.map((a) => ({ ...words(a), linked: linked(a) })),
    };
    next();
  };
}

/** Loads the people of the backing group to invite, for the invitations page. */
export function loadBackedPeople(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const backing = canManageInvitations(req.actor ?? null) ? await findOrganizationBacking(req.org!.id) : undefined;
    if (backing) {
      const a = adapterOf(backing);
      res.locals.backed = { login: backing.provider_org_login, label: a.label, groupNoun: a.groupNoun, identityLabel: a.identityLabel, people: await listInvitablePeople(ctx, backing) };
    }
    next();
  };
}

/** POST /orgs/:org/settings/backing/:provider/start — sends the owner to the provider to grant the group-reading scope. */
export function startBacking(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const { adapter, config } = providerOf(res);
    if (!(await findIdentityForUserByProvider(req.user!.id, adapter.identityProvider))) {
      flash(req, "error", `Connect your ${adapter.identityLabel} account in your settings first.`);
      return res.redirect(settingsPath(req.org!.slug));
    }
    const { state, verifier } = newAuthorizationSecrets();
    req.session.orgBacking = { provider: adapter.name, organizationId: req.org!.id, slug: req.org!.slug, userId: req.user!.id, state, verifier, startedAt: Date.now() };
    res.redirect(adapter.authorizeUrl(config, backingCallbackUrl(ctx.config, adapter.name), state, verifier));
  };
}

/**
 * GET /auth/:provider/callback/org-backing — the provider sends the browser back here. The state
 * must be the one this session stored for this signed-in owner and this provider; the code is kept
 * in the flow and the browser moves on to the organization's page, where the organization is
 * loaded and the owner authorized the usual way before the code is used.
 */
export function receiveBackingCallback(req: Request, res: Response) {
  const { adapter } = providerOf(res);
  const flow = req.session.orgBacking;
  const state = typeof req.query.state === "string" ? req.query.state : "";
  if (!flow || flow.code || flow.provider !== adapter.name || flow.userId !== req.user?.id || Date.now() - flow.startedAt > FLOW_MS || !safeEqual(flow.state, state)) {
    delete req.session.orgBacking;
    return res.status(400).render("auth/provider-error", {
      title: "This link has expired",
      heading: "This link has expired",
      message: `This ${adapter.label} authorization was not started in this browser, took too long, or was already used. Start again from the organization's settings.`,
      retry: "/",
    });
  }
  const code = typeof req.query.code === "string" ? req.query.code : "";
  if (req.query.error || !code) {
    delete req.session.orgBacking;
    flash(req, "info", `${adapter.label} did not grant access, so nothing changed.`);
    return res.redirect(settingsPath(flow.slug));
  }
  req.session.orgBacking = { ...flow, code };
  res.redirect(orgPath(flow.slug, `/settings/backing/${adapter.name}`));
}

/** A grant as the session keeps it until the owner chooses (sealed: a token must not sit readable in a session row). */
function sealGrant(ctx: AppContext, grant: BackingGrant): string {
  return ctx.secretBox.seal(JSON.stringify({ ...grant, expiresAt: grant.expiresAt?.toISOString() ?? null }));
}

function openGrant(ctx: AppContext, sealed: string): BackingGrant | undefined {
  const text = ctx.secretBox.open(sealed);
  if (!text) return undefined;
  const g = JSON.parse(text) as { token: string; refreshToken: string | null; expiresAt: string | null; scopes: string[] };
  return { ...g, expiresAt: g.expiresAt ? new Date(g.expiresAt) : null };
}

/**
 * GET /orgs/:org/settings/backing/:provider — uses the code (once), checks the token is of the
 * owner's linked account and has the scope, and lists the groups it administers to choose from;
 * or that list again.
 */
export function showBackingChoice(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const { adapter, config } = providerOf(res);
    const org = req.org!;
    const userId = req.user!.id;
    const flow = req.session.orgBacking;
    const unreachable = (message: string) => res.status(502).render("auth/provider-error", { title: `${adapter.label} did not answer`, heading: `${adapter.label} did not answer`, message, retry: settingsPath(org.slug) });
    if (flow?.code && flow.provider === adapter.name && flow.organizationId === org.id && flow.userId === userId) {
      delete req.session.orgBacking;
      const refused = (message: string) => res.status(403).render("auth/provider-error", { title: "Not connected", heading: "Not connected", message, retry: settingsPath(org.slug) });
      const granted = await adapter.exchangeCode(config, backingCallbackUrl(ctx.config, adapter.name), flow.code, flow.verifier).catch((err: unknown) => {
        req.log.warn({ err, provider: adapter.name }, "the token exchange for backing failed");
        return null;
      });
      if (granted === null) return unreachable(`We could not reach ${adapter.label}. Try again in a moment.`);
      if (!granted) return refused(`${adapter.label} refused the authorization code: it was already used or has expired. Start again.`);
      if (!granted.scopes.includes(adapter.scope)) return refused(`${adapter.label} did not grant ${adapter.scope}, which is needed to read your ${adapter.groupNoun}s' members.`);
      const identity = await findIdentityForUserByProvider(userId, adapter.identityProvider);
      let orgs;
      try {
        const account = await adapter.fetchAccount(config, granted.token);
        // The token must be of the account linked to this owner, not another one signed in at the provider.
        if (!identity || identity.provider_user_id !== account.id) return refused(`You authorized a different ${adapter.label} account than the ${adapter.identityLabel} account connected to your Gatehouse account.`);
        orgs = await adapter.listAdministered(config, granted.token);
      } catch (err) {
        if (err instanceof BackingTokenRejected) return refused(`${adapter.label} refused the new token. Start again.`);
        req.log.warn({ err, provider: adapter.name }, "listing groups for backing failed");
        return unreachable(`We could not read your ${adapter.groupNoun}s. Try again in a moment.`);
      }
      req.session.orgBackingChoice = { provider: adapter.name, organizationId: org.id, userId, grantSealed: sealGrant(ctx, granted), orgs, startedAt: Date.now() };
    }
    const choice = currentChoice(req, adapter);
    if (!choice) return res.redirect(settingsPath(org.slug));
    res.render("orgs/backing-choose", { title: `Back with ${adapter.label} · ${org.name}`, tab: "settings", provider: { name: adapter.name, label: adapter.label, groupNoun: adapter.groupNoun }, orgs: choice.orgs });
  };
}

function currentChoice(req: Request, adapter: BackingAdapter) {
  const choice = req.session.orgBackingChoice;
  if (!choice || choice.provider !== adapter.name || choice.organizationId !== req.org!.id || choice.userId !== req.user!.id || Date.now() - choice.startedAt > FLOW_MS) return undefined;
  return choice;
}

/** POST /orgs/:org/settings/backing/:provider: the group chosen, by its id (numeric at GitHub and GitLab, a {UUID} at Bitbucket). */
export const BackingChoiceForm = z.object({ provider_org_id: z.string().trim().regex(/^(\d{1,20}|\{[0-9a-f-]{36}\})$/i, "Choose one of the groups you administer.") });

/** POST /orgs/:org/settings/backing/:provider — backs the organization with the chosen group. */
export function submitBackingChoice(ctx: AppContext) {
  return async (req: Valid<typeof BackingChoiceForm>, res: Response) => {
    const { adapter } = providerOf(res);
    const choice = currentChoice(req, adapter);
    const grant = choice ? openGrant(ctx, choice.grantSealed) : undefined;
    if (!choice || !grant) {
      flash(req, "info", "That took too long. Start again.");
      return res.redirect(settingsPath(req.org!.slug));
    }
    const chosen = await connectBacking(ctx, req.org!, { user_id: req.user!.id, username: req.user!.username }, adapter, grant, choice.orgs, req.body.provider_org_id);
    delete req.session.orgBackingChoice;
    flash(req, "success", `${req.org!.name} is now backed by the ${adapter.groupNoun} ${chosen.login}.`);
    res.redirect(settingsPath(req.org!.slug));
  };
}

/** POST /orgs/:org/settings/backing/self-join: the checkbox. */
export const SelfJoinForm = z.object({ self_join: z.literal("yes").optional() });

/** POST /orgs/:org/settings/backing/self-join — lets the group's members join at sign-in, or stops it. */
export async function submitSelfJoin(req: Valid<typeof SelfJoinForm>, res: Response) {
  const backing = await findOrganizationBacking(req.org!.id);
  if (!backing) throw notFound();
  const a = adapterOf(backing);
  const on = req.body.self_join === "yes";
  await changeBackingSelfJoin(req.org!, { user_id: req.user!.id, username: req.user!.username }, on);
  flash(req, "success", on ? `Members of the ${a.groupNoun} can now join when they sign in with ${a.identityLabel}.` : `Members of the ${a.groupNoun} now need an invitation.`);
  res.redirect(settingsPath(req.org!.slug));
}

/** GET /orgs/:org/settings/backing/remove — asks before backing is turned off. */
export async function showStopBacking(req: Request, res: Response) {
  const backing = await findOrganizationBacking(req.org!.id);
  if (!backing) throw notFound();
  const a = adapterOf(backing);
  res.render("orgs/confirm", {
    title: `Stop backing · ${req.org!.name}`,
    tab: "settings",
    heading: `Stop backing with ${a.label}`,
    message: `${req.org!.name} will no longer follow the ${a.groupNoun} ${backing.provider_org_login}, and the ${a.label} token stored for it is deleted. Members stay members.`,
    action: orgPath(req.org!.slug, "/settings/backing/remove"),
    button: "Stop backing and delete the token",
    back: settingsPath(req.org!.slug),
  });
}

/** POST /orgs/:org/settings/backing/remove — turns backing off and deletes the stored tokens. */
export async function submitStopBacking(req: Request, res: Response) {
  const backing = await findOrganizationBacking(req.org!.id);
  if (!backing || !(await disconnectBacking(req.org!, { user_id: req.user!.id, username: req.user!.username }, backing))) throw notFound();
  flash(req, "success", `Backing is off and the ${adapterOf(backing).label} token was deleted.`);
  res.redirect(settingsPath(req.org!.slug));
}

/**
 * POST /orgs/:org/invitations/backed/:id — invites, with one click, a person of the backing group
 * (by their Gatehouse user id) as member; a refusal of the invitation rules is flashed.
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
