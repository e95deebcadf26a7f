import { db, type Executor } from "../db/knex";
import { listMemberAddresses, type MemberAddress } from "../db/memberships";
import type { OrgRole } from "../policies/organizations";
import {
  findNotificationPreference,
  listNotificationPreferencesForUser,
  upsertNotificationPreferences,
  type OptionalNotificationCategory,
} from "../db/notification-preferences";

/** Every category of email a user may receive. */
export type NotificationCategory = "security" | "organization" | "product";

/**
 * What a user gets when they never saved a choice: organization mail on (invitations are expected),
 * product news off (marketing-like mail is opt-in).
 */
export const NOTIFICATION_DEFAULTS: Record<OptionalNotificationCategory, boolean> = {
  organization: true,
  product: false,
};

/**
 * Whether this user wants email of this category. The one function every sender to one person
 * consults; membersWantingEmail applies the same rule to many members in one query.
 * Security mail is always wanted: a user must hear about sign-ins and credential changes even when an
 * attacker who took over the session turned everything else off.
 */
export async function wantsEmail(userId: number, category: NotificationCategory, q: Executor = db): Promise<boolean> {
  if (category === "security") return true;
  const row = await findNotificationPreference(userId, category, q);
  return row ? row.email : NOTIFICATION_DEFAULTS[category];
}

/** The members of an organization with one of `roles` who want `category` mail: wantsEmail's rule for many people, in one query. */
export function membersWantingEmail(organizationId: number, roles: OrgRole[], category: OptionalNotificationCategory, q: Executor = db): Promise<MemberAddress[]> {
  return listMemberAddresses(organizationId, { roles, wanting: { category, whenUnset: NOTIFICATION_DEFAULTS[category] } }, q);
}

/** A user's effective email choices for every optional category (defaults filled in). */
export async function emailPreferencesFor(userId: number, q: Executor = db): Promise<Record<OptionalNotificationCategory, boolean>> {
  const stored = await listNotificationPreferencesForUser(userId, q);
  const result = { ...NOTIFICATION_DEFAULTS };
  for (const row of stored) result[row.category] = row.email;
  return result;
}

/** Saves a user's email choices; only the optional categories can be stored (security stays on). */
export async function saveEmailPreferences(
  userId: number,
  choices: Record<OptionalNotificationCategory, boolean>,
  q: Executor = db,
): Promise<void> {
  await upsertNotificationPreferences(userId, { organization: choices.organization, product: choices.product }, q);
}
