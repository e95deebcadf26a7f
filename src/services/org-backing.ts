import type { AppContext } from "../context";
import { findBackingAdapter } from "../auth/providers/backing-adapters";
import type { BackingAdapter, BackingGrant, BackingGroup } from "../auth/providers/backing-api";
import { findBackedPerson, listInvitableBackedPeople, type BackedPersonRow } from "../db/backed-people";
import { db } from "../db/knex";
import { deleteOrganizationBacking, setBackingSelfJoin, upsertOrganizationBacking, type OrganizationBackingRow } from "../db/organization-backings";
import type { OrganizationRow } from "../db/organizations";
import { notFound, ValidationError } from "../lib/errors";
import type { Actor } from "../policies/organizations";
import { createInvitation, type Inviter } from "./invitations";
import { sealedGrant, withBackingToken } from "./org-backing-token";
import { recordOrgEvent } from "./organization-log";

/**
 * An organization backed by a group at a provider: a GitHub organization, a GitLab group or a
 * Bitbucket workspace (one adapter each, src/auth/providers/backing-adapters.ts). An owner connects
 * it with a token of their own provider account that can read the group (asked for at that moment
 * only); the token, and its refresh token where the provider has one, is kept sealed with the
 * secret box and only while backing is on. Backing never grants anything by itself: it lists
 * people to invite, lets them join on their own only when the owners turned that on, and removes
 * members who left the group (src/services/org-backing-recheck.ts).
 */

/** The adapter of a stored backing (the database's check constraint allows only known providers). */
export function adapterOf(backing: Pick<OrganizationBackingRow, "provider">): BackingAdapter {
  const adapter = findBackingAdapter(backing.provider);
  if (!adapter) throw new Error(`no backing adapter for ${backing.provider}`);
  return adapter;
}

/** The stored group as the adapters take it. */
export const groupOf = (backing: OrganizationBackingRow): BackingGroup => ({ id: backing.provider_org_id, login: backing.provider_org_login });

/** Who acts on backing: an owner in person. */
export interface BackingActor {
  user_id: number;
  username: string;
}

/**
 * Stores the chosen group and the owner's token, sealed. `administered` is what the provider
 * listed for this token a moment ago: only one of those may be chosen, so a forged form cannot
 * back an organization with a group the owner does not administer.
 */
export async function connectBacking(ctx: AppContext, org: OrganizationRow, actor: BackingActor, adapter: BackingAdapter, grant: BackingGrant, administered: BackingGroup[], chosenId: string): Promise<BackingGroup> {
  const chosen = administered.find((o) => o.id === chosenId);
  if (!chosen) throw new ValidationError({ provider_org_id: `Choose one of the ${adapter.groupNoun}s you administer.` });
  await db.transaction(async (trx) => {
    await upsertOrganizationBacking(
      { organization_id: org.id, provider: adapter.name, provider_org_id: chosen.id, provider_org_login: chosen.login, ...sealedGrant(ctx, adapter, grant), connected_by: actor.user_id },
      trx,
    );
    await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.connected", { provider: adapter.name, provider_org: chosen.login, provider_org_id: chosen.id }, trx);
  });
  return chosen;
}

/** Turns backing off: the row and the stored tokens are deleted; members stay. */
export async function disconnectBacking(org: OrganizationRow, actor: BackingActor, backing: OrganizationBackingRow): Promise<boolean> {
  return db.transaction(async (trx) => {
    const removed = await deleteOrganizationBacking(org.id, trx);
    if (removed) await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.disconnected", { provider: backing.provider }, trx);
    return removed;
  });
}

/** Lets members of the group join on their own at sign-in, or stops it. */
export async function changeBackingSelfJoin(org: OrganizationRow, actor: BackingActor, selfJoin: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    await setBackingSelfJoin(org.id, selfJoin, trx);
    await recordOrgEvent(org.id, { userId: actor.user_id, name: actor.username }, "backing.self_join_changed", { self_join: selfJoin }, trx);
  });
}

/** How many people the invitations page lists at most. */
const LIST_LIMIT = 100;

/** The backing group's members on Gatehouse to invite; or why they cannot be listed. */
export type InvitablePeople = { kind: "listed"; people: BackedPersonRow[] } | { kind: "broken" } | { kind: "unavailable" };

/** People in the backing group with a Gatehouse account who are neither members nor invited. */
export async function listInvitablePeople(ctx: AppContext, backing: OrganizationBackingRow): Promise<InvitablePeople> {
  if (backing.broken_at) return { kind: "broken" };
  let ids: Set<string> | "broken";
  try {
    // The stored token, renewed when needed; "broken" when it no longer works.
    ids = await withBackingToken(ctx, backing, ({ adapter, config, token }) => adapter.listMemberIds(config, token, groupOf(backing)));
  } catch (err) {
    ctx.logger.warn({ err, organizationId: backing.organization_id, provider: backing.provider }, "listing the backing group failed");
    return { kind: "unavailable" };
  }
  if (ids === "broken") return { kind: "broken" };
  return { kind: "listed", people: await listInvitableBackedPeople(backing.organization_id, adapterOf(backing).identityProvider, [...ids], LIST_LIMIT) };
}

/**
 * Invites a person of the backing group with one click: an ordinary invitation as member to
 * their confirmed address, through createInvitation and so its rules and limits. The provider is
 * asked again about this one person (its membership endpoint, not the whole member list), so only
 * someone in the group right now can be invited this way; their address is never shown on the
 * page, only used here.
 */
export async function inviteBackedPerson(ctx: AppContext, org: OrganizationRow, backing: OrganizationBackingRow, actor: Actor, inviter: Inviter, userId: number): Promise<{ username: string }> {
  const person = await findBackedPerson(userId, adapterOf(backing).identityProvider);
  if (!person || backing.broken_at) throw notFound("Person");
  let inGroup: boolean | "broken";
  try {
    inGroup = await withBackingToken(ctx, backing, ({ adapter, config, token }) =>
      adapter.isMember(config, token, groupOf(backing), { id: person.provider_user_id, username: person.provider_username }));
  } catch (err) {
    ctx.logger.warn({ err, organizationId: backing.organization_id, provider: backing.provider }, "checking a group membership for an invitation failed");
    throw new ValidationError({ provider: `We could not reach ${adapterOf(backing).label} to check that ${person.username} is in the ${adapterOf(backing).groupNoun}. Try again in a moment.` });
  }
  if (inGroup !== true) throw notFound("Person");
  await createInvitation(ctx, org, actor, inviter, { email: person.email, role: "member", teams: [] });
  return { username: person.username };
}
