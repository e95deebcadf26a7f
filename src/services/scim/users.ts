import { db, type Executor } from "../../db/knex";
import { deleteMembership, findMembership, insertMembership } from "../../db/memberships";
import { lockOrganization, type OrganizationRow } from "../../db/organizations";
import {
  countScimUsers, deleteScimUserRecord, findScimUser, findScimUserByUserName, hasSignInMethod, isExternalIdTaken, listScimUsers,
  revokeOrgTokensCreatedBy, upsertScimUser, type ScimProfile, type ScimUserView, type ScimUserWhere,
} from "../../db/scim-users";
import { findUserByEmail, insertUser } from "../../db/users";
import { isUniqueViolation, ownersInPerson, ScimError } from "../../lib/errors";
import { canRemoveMember, tokenActor } from "../../policies/organizations";
import { guardLastOwner } from "../org-errors";
import { recordOrgEvent, type OrgEventActor } from "../organization-log";
import type { FilterTest } from "./filter";
import type { PatchOp } from "./patch";
import { applyUserPatch, type ScimUserState } from "./user-patch";

/**
 * SCIM Users of one organization (RFC 7644 §3). A User is a person known to the organization: a
 * member (active), or someone the IdP provisioned whose membership has ended (inactive). Its id
 * is the account's id. The IdP's userName, externalId, name and emails live in scim_users; the
 * person's own account is never edited through SCIM (it is theirs, and may belong to other
 * organizations too).
 *
 * Create, decided in this order:
 *   1. userName or externalId already used in this organization -> 409 uniqueness;
 *   2. an account has the email (the primary email, else userName when it is an address):
 *      a. confirmed, or never able to sign in (no password, no identity: an account another
 *         organization provisioned) -> it joins as a member; nothing of the account changes;
 *      b. unconfirmed with a password or identity -> 409 uniqueness: someone registered the
 *         address without proving it, and giving that account the membership could hand the
 *         organization to a squatter;
 *      c. already a member (under another userName) -> 409 uniqueness;
 *   3. no account -> a provisioned account is created: username from userName, made unique;
 *      no password; email UNCONFIRMED.
 * Why unconfirmed: the IdP asserts the address, but Gatehouse has no proof that the organization
 * controls that address's domain (there is no verified-domain record to check), and a confirmed
 * address is what every other part of Gatehouse trusts (sign-in by email, password reset, other
 * organizations' invitations). Treating an IdP's word as proof would let any organization owner
 * mint a confirmed account for any address, such as someone else's company mailbox. The person
 * finishes the account with "Forgot password": the reset link mailed to the address proves it,
 * sets a password and confirms the email. Until then the account can do nothing.
 *
 * Deactivate (active false, or DELETE): the membership ends, and with it the person's team
 * memberships (foreign key) and every organization, team and SCIM token they created for this
 * organization; their account and their other organizations stay. Reactivating adds the
 * membership back with the role member (teams come back as the IdP pushes its groups again).
 * DELETE also forgets the IdP's record, so the User is then 404. Owners cannot be deactivated by
 * SCIM: like an organization token, a SCIM token is a secret that can leak, and the organization
 * policy keeps owners for people (canRemoveMember).
 *
 * Every write locks the organization row first, so one organization's SCIM writes run one at a
 * time: two creates of the same userName in parallel give one 201 and one 409, and the unique
 * constraints underneath answer 409 too.
 */

/** The organization log's actor for everything SCIM does. */
const SCIM_ACTOR: OrgEventActor = { userId: null, name: "SCIM provisioning" };

const taken = (attr: string) => new ScimError(409, `Another user of this organization has this ${attr}.`, "uniqueness");

/** Runs a write in one transaction, answering a unique violation that slipped past the checks as 409 uniqueness. */
async function write<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
  try {
    return await guardLastOwner(() => db.transaction(work));
  } catch (err) {
    if (isUniqueViolation(err)) throw taken("userName, externalId or email");
    throw err;
  }
}

/** The tests of a Users filter as a query condition; 400 invalidFilter for an attribute it cannot test. */
export function usersWhere(tests: FilterTest[]): ScimUserWhere {
  return (query) => {
    for (const t of tests) {
      const value = t.value;
      if (t.path === "active" && typeof value === "boolean") {
        if (value) query.whereNotNull("m.id");
        else query.whereNull("m.id");
        continue;
      }
      if (typeof value !== "string") throw new ScimError(400, `Compare ${t.path} with a string.`, "invalidFilter");
      if (t.path === "username" && !t.where) query.whereRaw("coalesce(s.user_name, u.email) = ?::citext", [value]);
      else if (t.path === "externalid" && !t.where) query.where("s.external_id", value);
      else if (t.path === "id" && !t.where) query.where("u.id", /^\d{1,15}$/.test(value) ? Number(value) : 0);
      else if (t.path === "emails.value" || t.path === "emails") {
        const type = t.where?.attr === "type" && typeof t.where.value === "string" ? t.where.value : undefined;
        if (t.where && type === undefined) throw new ScimError(400, "Filter emails by type only.", "invalidFilter");
        // The account's own address counts as the work email; the IdP's emails as it sent them.
        query.where((w) => {
          if (type === undefined || type === "work") w.orWhereRaw("u.email = ?::citext", [value]);
          w.orWhereRaw("exists (select 1 from jsonb_array_elements(coalesce(s.profile->'emails', '[]'::jsonb)) e where lower(e->>'value') = lower(?) and (?::text is null or e->>'type' = ?))", [value, type ?? null, type ?? null]);
        });
      } else throw new ScimError(400, `Users cannot be filtered by ${t.path}.`, "invalidFilter");
    }
  };
}

/** A page of the organization's Users matching the filter's tests, and how many match in all. */
export async function listUsers(org: OrganizationRow, tests: FilterTest[], startIndex: number, count: number): Promise<{ total: number; rows: ScimUserView[] }> {
  const where = usersWhere(tests);
  const [total, rows] = await Promise.all([countScimUsers(org.id, where), count === 0 ? [] : listScimUsers(org.id, where, count, startIndex - 1)]);
  return { total, rows };
}

/** One of the organization's Users, or 404. */
export async function getUser(org: OrganizationRow, userId: number): Promise<ScimUserView> {
  const row = await findScimUser(org.id, userId);
  if (!row) throw new ScimError(404, "User not found.");
  return row;
}

/** The address a new User is matched by: its primary email, else its first, else userName when it is one. */
function emailOf(state: ScimUserState): string {
  const emails = state.profile.emails ?? [];
  const email = emails.find((e) => e.primary)?.value ?? emails.find((e) => e.type === "work")?.value ?? emails[0]?.value ?? state.userName;
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) throw new ScimError(400, "Give the user an email address (emails, or a userName that is one).", "invalidValue");
  return email;
}

/** Creates a User (see the module comment for the decisions) and returns it. */
export async function createUser(org: OrganizationRow, state: ScimUserState): Promise<ScimUserView> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    if (await findScimUserByUserName(org.id, state.userName, null, trx)) throw taken("userName");
    if (state.externalId && (await isExternalIdTaken(org.id, state.externalId, null, trx))) throw taken("externalId");
    const email = emailOf(state);
    // Other organizations may provision the same person at the same moment: one of them creates the
    // account, the others wait here and then find it, instead of failing on the unique email.
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext(?))", [`scim-email:${email.toLowerCase()}`]);
    const existing = await findUserByEmail(email, trx);
    let userId: number;
    if (existing) {
      if (!existing.email_confirmed_at && (await hasSignInMethod(existing.id, trx))) {
        throw new ScimError(409, "An unconfirmed account holds this email address; it must be confirmed before it can be provisioned.", "uniqueness");
      }
      if (await findScimUser(org.id, existing.id, trx)) throw taken("email");
      userId = existing.id;
    } else {
      userId = await insertProvisionedAccount(state, email, trx);
    }
    await upsertScimUser({ organization_id: org.id, user_id: userId, user_name: state.userName, external_id: state.externalId, profile: state.profile }, trx);
    if (state.active) await activate(org, userId, { provisioned_account: !existing }, trx);
    return (await findScimUser(org.id, userId, trx))!;
  });
}

/** Replaces a User's state (PUT) and returns it. */
export async function replaceUser(org: OrganizationRow, userId: number, state: ScimUserState): Promise<ScimUserView> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    const current = await findScimUser(org.id, userId, trx);
    if (!current) throw new ScimError(404, "User not found.");
    return save(org, current, state, trx);
  });
}

/** Applies PATCH operations to a User and returns it. */
export async function patchUser(org: OrganizationRow, userId: number, ops: PatchOp[]): Promise<ScimUserView> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    const current = await findScimUser(org.id, userId, trx);
    if (!current) throw new ScimError(404, "User not found.");
    return save(org, current, applyUserPatch(stateOf(current), ops), trx);
  });
}

/** Deletes a User: the membership ends (see deactivate) and the IdP's record goes; the account stays. */
export async function deleteUser(org: OrganizationRow, userId: number): Promise<void> {
  await write(async (trx) => {
    await lockOrganization(org.id, trx);
    const current = await findScimUser(org.id, userId, trx);
    if (!current) throw new ScimError(404, "User not found.");
    if (current.membership_id) await deactivate(org, current, trx);
    await deleteScimUserRecord(org.id, userId, trx);
  });
}

/** A User's current state as PUT and PATCH see it. */
export function stateOf(row: ScimUserView): ScimUserState {
  return { userName: row.user_name ?? row.email, externalId: row.external_id, active: row.membership_id !== null, profile: row.profile ?? {} };
}

async function save(org: OrganizationRow, current: ScimUserView, next: ScimUserState, trx: Executor): Promise<ScimUserView> {
  if (await findScimUserByUserName(org.id, next.userName, current.id, trx)) throw taken("userName");
  if (next.externalId && (await isExternalIdTaken(org.id, next.externalId, current.id, trx))) throw taken("externalId");
  await upsertScimUser({ organization_id: org.id, user_id: current.id, user_name: next.userName, external_id: next.externalId, profile: next.profile }, trx);
  const active = current.membership_id !== null;
  if (active && !next.active) await deactivate(org, current, trx);
  if (!active && next.active) await activate(org, current.id, {}, trx);
  return (await findScimUser(org.id, current.id, trx))!;
}

async function activate(org: OrganizationRow, userId: number, details: Record<string, unknown>, trx: Executor): Promise<void> {
  if (!(await insertMembership({ organization_id: org.id, user_id: userId, role: "member" }, trx))) return;
  const username = (await findScimUser(org.id, userId, trx))?.username ?? null;
  await recordOrgEvent(org.id, SCIM_ACTOR, "member.joined", { user_id: userId, username, role: "member", via: "scim", ...details }, trx);
}

async function deactivate(org: OrganizationRow, current: ScimUserView, trx: Executor): Promise<void> {
  const membership = await findMembership(org.id, current.id, trx);
  if (!membership) return;
  // A SCIM token acts like an organization token: it never removes an owner (policies/organizations.ts).
  if (!canRemoveMember(tokenActor("organization"), membership)) throw ownersInPerson();
  await deleteMembership(membership.id, trx);
  const tokensRevoked = await revokeOrgTokensCreatedBy(org.id, current.id, trx);
  await recordOrgEvent(org.id, SCIM_ACTOR, "member.removed", { user_id: current.id, username: current.username, role: membership.role, via: "scim", tokens_revoked: tokensRevoked }, trx);
}

/** A username from the IdP's userName: its local part, in the username alphabet, made unique by a number. */
function usernameCandidates(userName: string): string[] {
  const base = userName.split("@")[0]!.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32).replace(/-+$/, "") || "user";
  return [base, ...Array.from({ length: 20 }, (_, i) => `${base}-${i + 2}`), `${base}-${Date.now().toString(36)}`];
}

/**
 * Inserts the provisioned account (no password, email unconfirmed: see the module comment) under
 * the first free username. Each attempt runs in a savepoint, so a taken name (by a user or an
 * organization: the handles trigger) does not abort the transaction; a taken email does.
 */
async function insertProvisionedAccount(state: ScimUserState, email: string, trx: Executor): Promise<number> {
  const p: ScimProfile = state.profile;
  const displayName = (p.displayName ?? p.name?.formatted ?? [p.name?.givenName, p.name?.familyName].filter(Boolean).join(" ")).slice(0, 64);
  for (const username of usernameCandidates(state.userName)) {
    try {
      const user = await trx.transaction((sp) => insertUser({ username, email, display_name: displayName, email_confirmed_at: null, password_hash: null }, sp));
      return user.id;
    } catch (err) {
      if (!isUniqueViolation(err, "users_username_unique")) throw err;
    }
  }
  throw taken("userName");
}
