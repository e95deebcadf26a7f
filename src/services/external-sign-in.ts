/**
 * Signing in, signing up and linking with an external identity (GitHub, GitLab, Atlassian, Google).
 *
 * The decision tree, in this order:
 *
 *   Linking (started from /settings/identities by a signed-in account):
 *     1. the account's email is unconfirmed          -> refused. An unconfirmed account may be a
 *        squatter's holding someone else's address; letting it attach an identity is the
 *        "trojan identifier" pre-hijacking attack.
 *     2. the identity is already this account's      -> nothing to do.
 *     3. the identity belongs to another account     -> refused with a clear message; never moved.
 *     4. the account already has this provider       -> refused: disconnect the other one first.
 *     5. otherwise                                   -> linked; security event and notice mail.
 *
 *   Signing in or up (started from the sign-in or sign-up page):
 *     6. the identity is known (provider + provider user id) -> sign in to its account, unless the
 *        account is unconfirmed and the identity never vouched for its address (it came from
 *        branch 9): then refused until the mailed link is followed. Whoever typed the address may
 *        not own it, and must not use an account created in someone else's name.
 *     7. unknown, and its VERIFIED email belongs to an account -> neither linked nor signed in: the
 *        person is told to sign in to that account and link from settings. Merging here is the
 *        "classic-federated merge" attack: whoever pre-registered the address (or whoever owns
 *        the identity) would share the account.
 *     8. unknown, verified email, no such account    -> a new, confirmed account with this identity,
 *        unless the instance settings refuse new accounts (sign-up closed or by invitation only,
 *        or the address outside the allowed domains: services/signup-gate.ts).
 *     9. unknown, no verified email                  -> the person is asked for an address; the new
 *        account stays unconfirmed until the mailed link is followed (and an address that has an
 *        account gets the same answer as a new one, like password sign-up). Its identity is
 *        stored as not vouched for the address: when the address's owner confirms it from a
 *        browser that does not hold the identity, or resets the password, the identity is removed
 *        (services/account-recovery.ts), so a squatter's identity never rides along. The same
 *        instance rules as in 8 apply: the mode before the address is asked for, the domain to the
 *        address typed.
 *   A known identity of a suspended account (6) is refused with a message saying so.
 *
 * Identities are matched only by (provider, provider user id), never by email, and an email the
 * provider does not mark verified never counts (the "non-verifying IdP" attack): it is not even kept.
 */
import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { findIdentityByProviderId, findIdentityForUserByProvider, insertIdentity, lockUserForIdentityChange, touchIdentity, type IdentityRow } from "../db/identities";
import { findUserByEmail, findUserById, insertUser, type UserRow } from "../db/users";
import { identityChangedMail } from "../emails/identity-changed";
import { signupAttemptMail } from "../emails/signup-attempt";
import { isUniqueViolation } from "../lib/errors";
import { PROVIDERS } from "../auth/providers";
import type { ExternalProfile } from "../auth/providers/types";
import { issueEmailConfirmation } from "./email-confirmation";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { freeUsername, randomVariant } from "./provider-usernames";
import { providerSignupRefusal } from "./signup-gate";

const DISPLAY_NAME_MAX = 64;

/** What a link attempt led to (branches 1-5). */
export type LinkOutcome =
  | { kind: "linked"; identity: IdentityRow }
  | { kind: "already_linked" }
  | { kind: "refused"; reason: "unconfirmed" | "other_account" | "provider_taken" };

/** What a sign-in or sign-up attempt led to (branches 6-9). */
export type SignInOutcome =
  | { kind: "signed_in"; user: UserRow }
  | { kind: "created"; user: UserRow }
  | { kind: "email_taken"; email: string }
  | { kind: "needs_email" }
  | { kind: "unconfirmed" }
  | { kind: "suspended" }
  | { kind: "signup_refused"; message: string };

/** The label of a provider ("GitHub") by its name. */
export function providerLabel(name: string): string {
  if (name.startsWith("sso:")) return "Organization single sign-on";
  return PROVIDERS.find((p) => p.name === name)?.label ?? name;
}

/** Branches 1-5: links `profile` to the signed-in `user`. */
export async function linkIdentity(ctx: AppContext, userId: number, profile: ExternalProfile, meta: RequestMeta): Promise<LinkOutcome> {
  const user = await findUserById(userId);
  // 1. Enforced here as well as by requireConfirmed on the start route: the account could have
  //    changed its address between the start of the flow and the callback.
  if (!user?.email_confirmed_at) return { kind: "refused", reason: "unconfirmed" };
  try {
    const outcome = await db.transaction(async (trx): Promise<LinkOutcome> => {
      await lockUserForIdentityChange(user.id, trx);
      const existing = await findIdentityByProviderId(profile.provider, profile.id, trx);
      if (existing?.user_id === user.id) return { kind: "already_linked" };
      if (existing) return { kind: "refused", reason: "other_account" };
      if (await findIdentityForUserByProvider(user.id, profile.provider, trx)) return { kind: "refused", reason: "provider_taken" };
      const identity = await insertIdentity(identityFields(user.id, profile), trx);
      await recordSecurityEvent(user.id, "identity.linked", meta, { provider: profile.provider, account: profile.username }, trx);
      await ctx.mail.queue(noticeMail(user, "linked", identity, meta), trx);
      return { kind: "linked", identity };
    });
    return outcome;
  } catch (err) {
    // Someone linked the same identity at the same moment: the unique constraint decided.
    if (isUniqueViolation(err, "identities_provider_user_unique")) return { kind: "refused", reason: "other_account" };
    if (isUniqueViolation(err, "identities_user_provider_unique")) return { kind: "refused", reason: "provider_taken" };
    throw err;
  }
}

/** What an organization's SSO adds to branch 8: work done in the new account's transaction (joining it). */
export interface SignInHooks {
  onCreate?: (user: UserRow, trx: Executor) => Promise<void>;
}

/** Branches 6-9: what a sign-in or sign-up with `profile` leads to. */
export async function signInWithIdentity(ctx: AppContext, profile: ExternalProfile, retried = false, hooks: SignInHooks = {}): Promise<SignInOutcome> {
  const identity = await findIdentityByProviderId(profile.provider, profile.id);
  if (identity) {
    // 6. Known identity: its account, whatever the provider now says the email is.
    const user = await findUserById(identity.user_id);
    if (user && !user.email_confirmed_at && !identity.vouched_for_address) return { kind: "unconfirmed" };
    if (user?.suspended_at) return { kind: "suspended" };
    if (user) {
      await touchIdentity(identity.id, { provider_username: profile.username, avatar_url: profile.avatarUrl });
      return { kind: "signed_in", user };
    }
  }
  if (!profile.verifiedEmail) {
    // 9. The instance's sign-up mode is checked before an address is asked for.
    const refused = providerSignupRefusal(ctx.settings.current(), undefined);
    return refused ? { kind: "signup_refused", message: refused.message } : { kind: "needs_email" };
  }
  // 7. Told, not merged (see the tree above).
  if (await findUserByEmail(profile.verifiedEmail)) return { kind: "email_taken", email: profile.verifiedEmail };
  const refused = providerSignupRefusal(ctx.settings.current(), profile.verifiedEmail);
  if (refused) return { kind: "signup_refused", message: refused.message };
  // 8. A new account, confirmed: the provider vouched for the address.
  try {
    const user = await createAccount(ctx, profile, profile.verifiedEmail, new Date(), hooks);
    return { kind: "created", user };
  } catch (err) {
    if (isUniqueViolation(err, "users_email_unique")) return { kind: "email_taken", email: profile.verifiedEmail };
    // The same identity arrived twice at once (double-clicked callback): the second one signs in.
    if (isUniqueViolation(err, "identities_provider_user_unique") && !retried) return signInWithIdentity(ctx, profile, true, hooks);
    throw err;
  }
}

/**
 * Branch 9, second step: the address typed by someone whose provider gave no verified one. Answers
 * the same whether or not the address has an account (the page says "check your email" either
 * way); an existing owner is told by mail instead, and the identity is not attached to anything.
 */
export async function completeSignupWithEmail(ctx: AppContext, profile: ExternalProfile, email: string): Promise<void> {
  const owner = await findUserByEmail(email);
  if (owner) {
    await ctx.mail.queue(signupAttemptMail({ userId: owner.id, to: owner.email, username: owner.username }));
    return;
  }
  try {
    await createAccount(ctx, profile, email, null);
  } catch (err) {
    // A concurrent sign-up took the address, or the identity was attached meanwhile: same answer.
    if (isUniqueViolation(err, "users_email_unique") || isUniqueViolation(err, "identities_provider_user_unique")) return;
    throw err;
  }
}

/**
 * Creates an account holding the identity: the provider's name (or a free variant) as username,
 * its display name, and `email`, confirmed when `confirmedAt` is given, else with a confirmation
 * mail queued in the same transaction.
 */
async function createAccount(ctx: AppContext, profile: ExternalProfile, email: string, confirmedAt: Date | null, hooks: SignInHooks = {}): Promise<UserRow> {
  const insert = (username: string) =>
    db.transaction(async (trx) => {
      const user = await insertUser(
        // welcomed_at null: the "about you" step follows the first sign-in, as after a password sign-up.
        { username, email, display_name: profile.displayName.slice(0, DISPLAY_NAME_MAX), email_confirmed_at: confirmedAt, password_hash: null, welcomed_at: null },
        trx,
      );
      // Vouched only when the provider vouched for the address (see branch 9).
      await insertIdentity({ ...identityFields(user.id, profile), vouched_for_address: confirmedAt !== null }, trx);
      if (!confirmedAt) await issueEmailConfirmation(ctx, user, trx);
      await hooks.onCreate?.(user, trx);
      return user;
    });
  const username = await freeUsername(profile.username || profile.displayName);
  let user: UserRow;
  try {
    user = await insert(username);
  } catch (err) {
    // Lost a race for the username: one retry with a random variant.
    if (!isUniqueViolation(err, "users_username_unique")) throw err;
    user = await insert(randomVariant(username));
  }
  return user;
}

function identityFields(userId: number, profile: ExternalProfile) {
  return {
    user_id: userId,
    provider: profile.provider,
    provider_user_id: profile.id,
    provider_username: profile.username,
    avatar_url: profile.avatarUrl,
  };
}

/** The security notice for a linked or unlinked identity. */
export function noticeMail(user: Pick<UserRow, "id" | "email" | "username">, action: "linked" | "unlinked", identity: IdentityRow, meta: RequestMeta) {
  return identityChangedMail({
    userId: user.id,
    to: user.email,
    username: user.username,
    action,
    providerLabel: providerLabel(identity.provider),
    providerUsername: identity.provider_username,
    ip: meta.ip,
  });
}
