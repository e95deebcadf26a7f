import { db, type Executor } from "./knex";

/** Categories a user can turn on or off (security mail is always sent and has no row). */
export type OptionalNotificationCategory = "organization" | "product";

export interface NotificationPreferenceRow {
  user_id: number;
  category: OptionalNotificationCategory;
  email: boolean;
  updated_at: Date;
}

/** The stored preferences of one user (categories never saved are absent). */
export function listNotificationPreferencesForUser(userId: number, q: Executor = db): Promise<NotificationPreferenceRow[]> {
  return q<NotificationPreferenceRow>("notification_preferences").where({ user_id: userId });
}

/** The stored preference of one user for one category, or undefined when never saved. */
export function findNotificationPreference(
  userId: number,
  category: OptionalNotificationCategory,
  q: Executor = db,
): Promise<NotificationPreferenceRow | undefined> {
  return q<NotificationPreferenceRow>("notification_preferences").where({ user_id: userId, category }).first();
}

/** Saves one user's email choice for several categories at once. */
export async function upsertNotificationPreferences(
  userId: number,
  choices: Partial<Record<OptionalNotificationCategory, boolean>>,
  q: Executor = db,
): Promise<void> {
  const rows = Object.entries(choices).map(([category, email]) => ({ user_id: userId, category, email, updated_at: q.fn.now() }));
  if (rows.length === 0) return;
  await q("notification_preferences").insert(rows).onConflict(["user_id", "category"]).merge(["email", "updated_at"]);
}
