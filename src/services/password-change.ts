import type { AppContext } from "../context";
import { db } from "../db/knex";
import { endSessionsForUser } from "../db/sessions";
import { deleteEmailCodesForUser } from "../db/email-codes";
import { updateUser, type UserRow } from "../db/users";
import { hashPassword, personalPasswordProblem } from "../auth/passwords";
import { passwordChangedMail } from "../emails/password-changed";
import type { FieldErrors } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

export type PasswordChangeResult = { ok: true; user: UserRow } | { ok: false; errors: FieldErrors };

/**
 * Changes the password of a signed-in user, or sets a first one for an account without a password
 * (created through a provider). The route asks for a fresh proof of identity first (sudo mode: a
 * session left open on a shared computer, or a stolen cookie, must not be enough to take the
 * account over, nor to give a provider-only account a password its owner does not know).
 *
 * In one transaction: the new hash is stored, every OTHER session of the user ends (whoever knew the
 * old password is out; `keepSid` is the session asking), pending email changes are cancelled (an
 * intruder may have started one), the event is logged and the owner is mailed. The caller gives the
 * kept session a new id afterwards.
 */
export async function changePassword(
  ctx: AppContext,
  user: UserRow,
  input: { password: string },
  keepSid: string,
  meta: RequestMeta,
): Promise<PasswordChangeResult> {
  const hadPassword = user.password_hash !== null;
  const personal = personalPasswordProblem(input.password, user.username, user.email);
  if (personal) return { ok: false, errors: { password: personal } };
  const passwordHash = await hashPassword(input.password);
  const updated = await db.transaction(async (trx) => {
    const row = await updateUser(user.id, { password_hash: passwordHash }, trx);
    await endSessionsForUser(row.id, keepSid, trx);
    await deleteEmailCodesForUser(row.id, "email_change", trx);
    await recordSecurityEvent(row.id, hadPassword ? "password.changed" : "password.set", meta, {}, trx);
    await ctx.mail.queue(passwordChangedMail({ userId: row.id, to: row.email, username: row.username, how: "changed", ip: meta.ip }), trx);
    return row;
  });
  return { ok: true, user: updated };
}
