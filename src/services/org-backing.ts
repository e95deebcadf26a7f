import type { AppContext } from "../context";
import type { ProviderConfig } from "../config";
import { GitHubTokenRejected, listGitHubOrgMemberIds, type GitHubOrg } from "../auth/providers/github-orgs";
import { findBackedPerson, listInvitableBackedPeople, type BackedPersonRow } from "../db/backed-people";
import { db } from "../db/knex";
import { deleteOrganizationBacking, markBackingBroken, setBackingSelfJoin, upsertOrganizationBacking, type OrganizationBackingRow } from "../db/organization-backings";
import type { OrganizationRow } from "../db/organizations";
import { notFound, ValidationError } from "../lib/errors";
import type { Actor } from "../policies/organizations";
import { createInvitation, type Inviter } from "./invitations";
import { recordOrgEvent } from "./organization-log";

/**
 * An organization backed by a GitHub organization. An owner connects it with a token of their own
 * GitHub account that has read:org (asked for at that moment only); the token is kept sealed with
 * the secret box and only while backing is on. Backing never grants anything by itself: it lists
 * people to invite, lets them join on their own only when the owners turned that on, and removes
 * members who left the GitHub organization (src/services/org-backing-recheck.ts).
 */

/** GitHub's provider config when GitHub sign-in is configured; backing needs it. */
export function gitHubConfig(ctx: AppContext): ProviderConfig | undefined {
  return ctx.config.providers.github;
}

/** The backing's token in the clear, or undefined when it cannot be opened (SESSION_SECRET changed). */
export function openBackingToken(ctx: AppContext, backing: OrganizationBackingRow): string | undefined {
  return ctx.secretBox.open(backing.token_sealed);
}

/** Who acts on backing: an owner in person. */
export interface BackingActor {
  user_id: number;
  username: string;
}

/**
 * Stores the chosen GitHub organization and the owner's token, sealed. `administered` is what
 * GitHub listed for this token a moment ago: only one of those may be chosen, so a forged form
 * cannot back an organization with one the owner does not administer.
 */
export async function connectBacking(ctx: AppContext, org: OrganizationRow, actor: BackingActor, token: string, administered: GitHubOrg[], chosenId: string): Promise<GitHubOrg> {
  const chosen = administered.find((o) => o.id === chosenId);
  if (!chosen) throw new ValidationError({ provider_org_id: "Choose one of the GitHub organizations you administer." });
  await db.transaction(async (trx) => {
    await upsertOrganizationBacking(
      { organization_id: org.id, provider: "github", provider_org_id: chosen.id, provider_org_login: chosen.login, token_sealed: ctx.secretBox.seal(token), connected_by: actor.user_id },
      trx,
    );
    await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.connected", { provider: "github", provider_org: chosen.login, provider_org_id: chosen.id }, trx);
  });
  return chosen;
}

/** Turns backing off: the row and the stored token are deleted; members stay. */
export async function disconnectBacking(org: OrganizationRow, actor: BackingActor): Promise<boolean> {
  return db.transaction(async (trx) => {
    const removed = await deleteOrganizationBacking(org.id, trx);
    if (removed) await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.disconnected", { provider: "github" }, trx);
    return removed;
  });
}

/** Lets members of the GitHub organization join on their own at sign-in, or stops it. */
export async function changeBackingSelfJoin(org: OrganizationRow, actor: BackingActor, selfJoin: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    await setBackingSelfJoin(org.id, selfJoin, trx);
    await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.self_join_changed", { self_join: selfJoin }, trx);
  });
}

/** How many people the invitations page lists at most. */
const LIST_LIMIT = 100;

/** The backing organization's members on Gatehouse to invite; or why they cannot be listed. */
export type InvitablePeople = { kind: "listed"; people: BackedPersonRow[] } | { kind: "broken" } | { kind: "unavailable" };

/** Reads the GitHub organization's members with the stored token; a 401 marks the backing broken. */
async function backedMemberIds(ctx: AppContext, backing: OrganizationBackingRow): Promise<Set<string> | "broken"> {
  const config = gitHubConfig(ctx);
  const token = openBackingToken(ctx, backing);
  if (!config || !token) return "broken";
  try {
    return await listGitHubOrgMemberIds(config, token, backing.provider_org_login);
  } catch (err) {
    if (err instanceof GitHubTokenRejected) {
      await markBackingBroken(backing.organization_id);
      return "broken";
    }
    throw err;
  }
}

/** People in the backing GitHub organization with a Gatehouse account who are neither members nor invited. */
export async function listInvitablePeople(ctx: AppContext, backing: OrganizationBackingRow): Promise<InvitablePeople> {
  if (backing.broken_at) return { kind: "broken" };
  let ids: Set<string> | "broken";
  try {
    ids = await backedMemberIds(ctx, backing);
  } catch (err) {
    ctx.logger.warn({ err, organizationId: backing.organization_id }, "listing the backing GitHub organization failed");
    return { kind: "unavailable" };
  }
  if (ids === "broken") return { kind: "broken" };
  return { kind: "listed", people: await listInvitableBackedPeople(backing.organization_id, [...ids], LIST_LIMIT) };
}

/**
 * Invites a person of the backing GitHub organization with one click: an ordinary invitation as
 * member to their confirmed address, through createInvitation and so its rules and limits. The
 * GitHub organization is read again, so only someone in it right now can be invited this way;
 * their address is never shown on the page, only used here.
 */
export async function inviteBackedPerson(ctx: AppContext, org: OrganizationRow, backing: OrganizationBackingRow, actor: Actor, inviter: Inviter, userId: number): Promise<{ username: string }> {
  const person = await findBackedPerson(userId);
  if (!person || backing.broken_at) throw notFound("Person");
  const ids = await backedMemberIds(ctx, backing);
  if (ids === "broken" || !ids.has(person.provider_user_id)) throw notFound("Person");
  await createInvitation(ctx, org, actor, inviter, { email: person.email, role: "member", teams: [] });
  return { username: person.username };
}
