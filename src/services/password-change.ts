import type { AppContext } from "../context";
import { db } from "../db/knex";
import { endSessionsForUser } from "../db/sessions";
import { deleteEmailCodesForUser } from "../db/email-codes";
import { updateUser, type UserRow } from "../db/users";
import { hashPassword, personalPasswordProblem } from "../auth/passwords";
import { passwordChangedMail } from "../emails/password-changed";
import { ValidationError } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/**
 * Changes the password of a signed-in user, or sets a first one for an account without a password
 * (created through a provider). The route asks for a fresh proof of identity first (sudo mode: a
 * session left open on a shared computer, or a stolen cookie, must not be enough to take the
 * account over, nor to give a provider-only account a password its owner does not know).
 *
 * In one transaction: the new hash is stored, every OTHER session of the user ends (whoever knew the
 * old password is out; `keepSid` is the session asking), pending email changes are cancelled (an
 * intruder may have started one), the event is logged and the owner is mailed. The caller gives the
 * kept session a new id afterwards. A password too close to the username or address is a
 * ValidationError on `password`, before anything is written.
 */
export async function changePassword(
  ctx: AppContext,
  user: UserRow,
  input: { password: string },
  keepSid: string,
  meta: RequestMeta,
): Promise<UserRow> {
  const hadPassword = user.password_hash !== null;
  const personal = personalPasswordProblem(input.password, user.username, user.email);
  if (personal) throw new ValidationError({ password: personal });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (trx) => {
    const row = await updateUser(user.id, { password_hash: passwordHash }, trx);
    await endSessionsForUser(row.id, keepSid, trx);
    await deleteEmailCodesForUser(row.id, "email_change", trx);
    await recordSecurityEvent(row.id, hadPassword ? "password.changed" : "password.set", meta, {}, trx);
    await ctx.mail.queue(passwordChangedMail({ userId: row.id, to: row.email, username: row.username, how: "changed", ip: meta.ip }), trx);
    return row;
  });
}
