import { z } from "zod";
import type { AppContext } from "../context";
import { db } from "../db/knex";
import { findUserByEmail, findUserByUsername, insertUser } from "../db/users";
import { hashPassword, newPasswordSchema, personalPasswordProblem } from "../auth/passwords";
import { enqueueMail } from "../emails/mail";
import { signupAttemptMail } from "../emails/signup-attempt";
import { emailSchema, handleSchema } from "../lib/handles";
import { isUniqueViolation, type FieldErrors } from "../lib/errors";
import { issueEmailConfirmation } from "./email-confirmation";

/** The signup form: username, email, password. */
export function signupForm(passwordMinLength: number) {
  return z.object({ username: handleSchema, email: emailSchema, password: newPasswordSchema(passwordMinLength) });
}

export type SignupInput = z.infer<ReturnType<typeof signupForm>>;

/**
 * Creates a password account and mails the confirmation link.
 *
 * Signing up with an address that already has an account must look exactly like a new signup (same
 * page, same status, a password hash computed either way, one mail queued either way) so that the
 * form cannot be used to find out who has an account. The existing owner gets a notice instead; the
 * stranger's password is never stored. Usernames are public (profile URLs), so a taken username is
 * reported on its field.
 */
export async function signUp(ctx: AppContext, input: SignupInput): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const personal = personalPasswordProblem(input.password, input.username, input.email);
  if (personal) return { ok: false, errors: { password: personal } };
  if (await findUserByUsername(input.username)) return { ok: false, errors: { username: "That username is taken. Choose another." } };
  const passwordHash = await hashPassword(input.password);
  try {
    await db.transaction(async (trx) => {
      const existing = await findUserByEmail(input.email, trx);
      if (existing) {
        const mail = await signupAttemptMail({
          to: existing.email,
          baseUrl: ctx.config.baseUrl,
          username: existing.username,
          loginUrl: `${ctx.config.baseUrl}/login`,
          resetUrl: `${ctx.config.baseUrl}/password/forgot`,
        });
        await enqueueMail(mail, trx);
        return;
      }
      const user = await insertUser({ username: input.username, email: input.email, password_hash: passwordHash }, trx);
      await issueEmailConfirmation(ctx, user, trx);
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_username_unique")) return { ok: false, errors: { username: "That username is taken. Choose another." } };
    // Two signups for the same address at once: the loser is answered like any signup.
    if (!isUniqueViolation(err, "users_email_unique")) throw err;
  }
  ctx.kickMail();
  return { ok: true };
}
