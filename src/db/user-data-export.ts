import { db, type Executor } from "./knex";

/**
 * Read-only queries behind "Export my data". Each one names the columns it returns instead of
 * selecting `*`, so a password hash, token hash or session id can only reach an export if someone
 * writes its column name here.
 */

/** The account row without its password hash (only whether there is one). */
export function exportAccount(userId: number, q: Executor = db) {
  return q("users")
    .where({ id: userId })
    .first("id", "username", "email", "email_confirmed_at", "created_at", "updated_at", q.raw("password_hash IS NOT NULL AS has_password"));
}

/** The profile fields. */
export function exportProfile(userId: number, q: Executor = db) {
  return q("users").where({ id: userId }).first("display_name", "bio", "links", "profile_public", "gravatar_public", "avatar_source", "avatar_identity_id");
}

/** The mailed links waiting to be used (purpose, address, dates), without their hashes. */
export function exportPendingLinks(userId: number, q: Executor = db) {
  return q("email_codes").where({ user_id: userId }).orderBy("id").select("purpose", "email", "created_at", "expires_at");
}

/** Signed-in sessions, live and ended (device, IP, dates), without the session ids. */
export function exportSessions(userId: number, q: Executor = db) {
  return q("sessions")
    .where({ user_id: userId })
    .orderBy("signed_in_at")
    .select("ip", "user_agent", "remember", "signed_in_at", "last_seen_at", "expires_at", "ended_at");
}

/** The whole security log, oldest first. */
export function exportSecurityEvents(userId: number, q: Executor = db) {
  return q("security_events").where({ user_id: userId }).orderBy("id").select("action", "ip", "user_agent", "details", "created_at");
}

/** Saved notification choices. */
export function exportNotificationPreferences(userId: number, q: Executor = db) {
  return q("notification_preferences").where({ user_id: userId }).orderBy("category").select("category", "email", "updated_at");
}

/**
 * Mails queued for this account: subject and dates only (bodies hold live links). By the account,
 * never by address: the address may have belonged to someone else when earlier mail went to it,
 * and that mail is theirs, not this account's.
 */
export function exportMailsFor(userId: number, q: Executor = db) {
  return q("outbound_mails").where({ user_id: userId }).orderBy("id").select("to", "subject", "created_at", "sent_at");
}

/** Linked external identities (provider, the provider's id and name), no provider tokens. */
export function exportIdentities(userId: number, q: Executor = db) {
  return q("identities").where({ user_id: userId }).orderBy("id").select("provider", "provider_user_id", "provider_username", "avatar_url", "created_at", "last_used_at");
}

/**
 * Two-factor authentication as the security page shows it: whether it is on and since when, and
 * the recovery codes' dates. Never the TOTP secret (sealed or not) nor the codes' hashes: an export
 * is a file that travels, and either would let its reader make or guess second factors.
 */
export async function exportTwoFactor(userId: number, q: Executor = db) {
  const totp = await q("totp_credentials").where({ user_id: userId }).first("created_at", "enabled_at");
  const recoveryCodes = await q("recovery_codes").where({ user_id: userId }).orderBy("id").select("created_at", "used_at");
  return { totp: totp ?? null, recovery_codes: recoveryCodes };
}

/** Access tokens as the settings page shows them (prefix and last 4 characters), without hashes. */
export function exportAccessTokens(userId: number, q: Executor = db) {
  return q("access_tokens")
    .where({ user_id: userId })
    .orderBy("id")
    .select("description", "token_prefix", "last4", "created_via", "cli_client", "cli_host", "created_at", "last_used_at", "expires_at", "revoked_at");
}

/** CLI sign-ins approved but not yet redeemed, without the code hash or PKCE challenge. */
export function exportAuthorizationCodes(userId: number, q: Executor = db) {
  return q("oauth_authorization_codes").where({ user_id: userId }).orderBy("id").select("client_id", "redirect_uri", "requesting_host", "created_at", "expires_at");
}

/** Organization memberships with the organization's slug and name. */
export function exportMemberships(userId: number, q: Executor = db) {
  return q("memberships as m")
    .join("organizations as o", "o.id", "m.organization_id")
    .where("m.user_id", userId)
    .orderBy("o.slug")
    .select("o.slug as organization", "o.name as organization_name", "m.role", "m.created_at");
}

/** Team memberships with the team's and organization's names. */
export function exportTeamMemberships(userId: number, q: Executor = db) {
  return q("team_memberships as tm")
    .join("teams as t", "t.id", "tm.team_id")
    .join("organizations as o", "o.id", "tm.organization_id")
    .where("tm.user_id", userId)
    .orderBy(["o.slug", "t.name"])
    .select("o.slug as organization", "t.name as team", "tm.maintainer", "tm.created_at");
}

/** Invitations the user sent or accepted, without their link hashes. */
export function exportInvitations(userId: number, q: Executor = db) {
  return q("invitations as i")
    .join("organizations as o", "o.id", "i.organization_id")
    .where("i.inviter_id", userId)
    .orWhere("i.accepted_user_id", userId)
    .orderBy("i.id")
    .select(
      "o.slug as organization", "i.email", "i.role", "i.status", "i.created_at", "i.responded_at", "i.expires_at",
      q.raw("i.inviter_id = ? AS sent_by_you", [userId]), q.raw("i.accepted_user_id IS NOT DISTINCT FROM ? AS accepted_by_you", [userId]),
    );
}

/** Requests to join organizations by a verified domain, the user's own and those they decided on. */
export function exportJoinRequests(userId: number, q: Executor = db) {
  return q("join_requests as j")
    .join("organizations as o", "o.id", "j.organization_id")
    .where("j.user_id", userId)
    .orWhere("j.decided_by_user_id", userId)
    .orderBy("j.id")
    .select(
      "o.slug as organization", "j.email", "j.status", "j.created_at", "j.decided_at",
      q.raw("j.user_id = ? AS requested_by_you", [userId]), q.raw("j.decided_by_user_id IS NOT DISTINCT FROM ? AS decided_by_you", [userId]),
    );
}

/** Organizations this user backed with a provider organization (which one, since when), without the sealed token. */
export function exportOrganizationBackings(userId: number, q: Executor = db) {
  return q("organization_backings as b")
    .join("organizations as o", "o.id", "b.organization_id")
    .where("b.connected_by", userId)
    .orderBy("b.organization_id")
    .select("o.slug as organization", "b.provider", "b.provider_org_login", "b.self_join", "b.created_at");
}

/** Registered passkeys (name, dates, kind), without the public key or the user handle. */
export function exportPasskeys(userId: number, q: Executor = db) {
  return q("passkeys").where({ user_id: userId }).orderBy("id").select("name", "credential_id", "transports", "device_type", "backed_up", "created_at", "last_used_at");
}

/** What the user did in organizations, from their logs (the organizations' own entries about others stay theirs). */
export function exportOrganizationEventsBy(userId: number, q: Executor = db) {
  return q("organization_events as e")
    .join("organizations as o", "o.id", "e.organization_id")
    .where("e.actor_user_id", userId)
    .orderBy("e.id")
    .select("o.slug as organization", "e.action", "e.details", "e.created_at");
}

/**
 * What organizations' identity providers keep about the user over SCIM (their userName,
 * externalId, name and emails, per organization), and the SCIM tokens the user created (prefix and
 * last 4 characters), without hashes.
 */
export async function exportScim(userId: number, q: Executor = db) {
  const records = await q("scim_users as s")
    .join("organizations as o", "o.id", "s.organization_id")
    .where("s.user_id", userId)
    .orderBy("s.id")
    .select("o.slug as organization", "s.user_name", "s.external_id", "s.profile", "s.created_at", "s.updated_at");
  const tokens = await q("scim_tokens as t")
    .join("organizations as o", "o.id", "t.organization_id")
    .where("t.created_by_id", userId)
    .orderBy("t.id")
    .select("o.slug as organization", "t.token_prefix", "t.last4", "t.created_at", "t.last_used_at", "t.revoked_at");
  return { records, tokens_created: tokens };
}
