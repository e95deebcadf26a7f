import { db, type Executor } from "../db/knex";
import { findSignInHistory } from "../db/security-events";
import type { UserRow } from "../db/users";
import type { Mailer } from "../emails/mailer";
import { newSignInMail } from "../emails/new-sign-in";
import { deviceLabel } from "../lib/user-agent";
import { formatDateTime } from "../lib/time-words";
import type { RequestMeta } from "./request-meta";

/** How far back a sign-in from the same browser and address makes a device "known". */
export const KNOWN_DEVICE_DAYS = 90;

/**
 * Mails the owner a security notice when this sign-in comes from a browser and IP combination not
 * seen in their live sessions or their sign-ins of the last 90 days, so a stolen password shows up
 * in the owner's inbox. The first sign-in of an account is not news and sends nothing. Security mail
 * cannot be turned off, so no preference is consulted. Call it before the new sign-in is recorded.
 * The mail is queued in the caller's transaction and sent once that commits.
 */
export async function noticeSignInFromNewDevice(mailer: Mailer, user: UserRow, meta: RequestMeta, q: Executor = db): Promise<boolean> {
  const since = new Date(Date.now() - KNOWN_DEVICE_DAYS * 86_400_000);
  const history = await findSignInHistory(user.id, meta.ip, meta.userAgent, since, q);
  if (!history.signedInBefore || history.knownDevice) return false;
  const mail = newSignInMail({ userId: user.id, to: user.email, username: user.username, device: deviceLabel(meta.userAgent), ip: meta.ip, at: formatDateTime(new Date()) });
  await mailer.queue(mail, q);
  return true;
}
