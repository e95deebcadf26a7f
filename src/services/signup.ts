import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { replaceEmailCode } from "../db/email-codes";
import { findUserByEmail, findUserByUsername, insertUser } from "../db/users";
import { hashPassword, personalPasswordProblem } from "../auth/passwords";
import { signupAttemptMail } from "../emails/signup-attempt";
import { isUniqueViolation, ValidationError } from "../lib/errors";
import { hashToken, randomToken } from "../lib/tokens";
import { CONFIRMATION_HOURS, issueEmailConfirmation } from "./email-confirmation";

/** A new account's username, email address and password (validated by the signup form's schema). */
export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates a password account and mails the confirmation link.
 *
 * Signing up with an address that already has an account must look exactly like a new signup, so
 * that the form cannot be used to find out who has an account: same page, same status, a password
 * hash computed either way, one mail queued either way (the existing owner gets a notice instead of
 * a link), and the stranger's password is never stored.
 *
 * The chosen username must leave the same trace too. A new address takes the username at once (the
 * unconfirmed account holds it), so a second signup with that username is told "taken"; if a taken
 * address left the username free, that second signup would tell the two cases apart. So on a taken
 * address the username is held the way an unconfirmed account holds it, because it is one: a
 * placeholder account (holdUsername) with no password, no identities, a random address on a domain
 * no mail can reach, and a confirmation code nobody was given. It therefore takes the username
 * under the same unique index (so requests racing for a username are settled the same way in both
 * cases), nobody can ever sign in to it, confirm it or reset it, and it goes when unconfirmed
 * accounts go, since it is one. Usernames are public (profile URLs), so a taken username is
 * reported on its field, in both cases alike.
 *
 * What remains: a new address's account can be signed in to with the password just chosen (to see
 * "confirm your email"); the placeholder cannot, because the squatter must never get in.
 *
 * A password that is too personal or a taken username is a ValidationError on its field. The answer
 * carries the id of the row that now holds the username, the new account's or the
 * placeholder's, so the caller can remember it in the sign-up's session either way (a session
 * written in one case only would tell the cases apart by its cookie). Only the new account's
 * confirmation link can ever match it; the placeholder's was given to nobody.
 */
export async function signUp(ctx: AppContext, input: SignupInput): Promise<{ userId: number }> {
  const personal = personalPasswordProblem(input.password, input.username, input.email);
  if (personal) throw new ValidationError({ password: personal });
  if (await findUserByUsername(input.username)) throw usernameTaken();
  const passwordHash = await hashPassword(input.password);
  const attempt = () =>
    db.transaction(async (trx) => {
      const existing = await findUserByEmail(input.email, trx);
      if (existing) {
        await ctx.mail.queue(signupAttemptMail({ userId: existing.id, to: existing.email, username: existing.username }), trx);
        return holdUsername(input.username, trx);
      }
      // welcomed_at null: the "about you" step (/welcome) follows the first sign-in.
      const user = await insertUser({ username: input.username, email: input.email, password_hash: passwordHash, welcomed_at: null }, trx);
      await issueEmailConfirmation(ctx, user, trx);
      return user.id;
    });
  try {
    try {
      return { userId: await attempt() };
    } catch (err) {
      // Two signups for the same address at once: the loser runs again and now finds the winner's
      // account, so it is answered like any signup with a taken address, its username held too.
      // Were it simply answered, its username would be left free, as no taken address leaves it.
      if (!isUniqueViolation(err, "users_email_unique")) throw err;
      return { userId: await attempt() };
    }
  } catch (err) {
    if (isUniqueViolation(err, "users_username_unique")) throw usernameTaken();
    if (!isUniqueViolation(err, "users_email_unique")) throw err;
    // The retry raced a third sign-up for the address: answered the same, holding no row (id 0 is no user's).
    return { userId: 0 };
  }
}

const usernameTaken = () => new ValidationError({ username: "That username is taken. Choose another." });

/**
 * Holds `username` for a signup whose address already had an account, as an unconfirmed account
 * would hold it (see signUp): an unconfirmed row without a password, at a random address of the
 * .invalid top-level domain (RFC 2606: it never resolves, so nothing sent there reaches anyone),
 * with a confirmation code whose secret is thrown away and which expires when a real one would.
 * Throws the username's unique violation when it is taken, exactly as insertUser does.
 */
async function holdUsername(username: string, trx: Executor): Promise<number> {
  const address = `${randomToken()}@username-hold.invalid`;
  const user = await insertUser({ username, email: address, password_hash: null, welcomed_at: null }, trx);
  await replaceEmailCode(
    {
      user_id: user.id,
      purpose: "email_confirmation",
      token_hash: hashToken(randomToken()),
      email: address,
      expires_at: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000),
    },
    trx,
  );
  return user.id;
}
