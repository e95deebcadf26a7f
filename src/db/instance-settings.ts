import { db, type Executor } from "./knex";

/** The one row of `instance_settings` (id = 1); absent until an admin first saves the settings. */
export interface InstanceSettingsRow {
  id: 1;
  signup_mode: "open" | "invite_only" | "closed";
  signup_email_domains: string[];
  hidden_providers: string[];
  password_min_length: number;
  require_two_factor: boolean;
  session_idle_minutes: number;
  session_max_hours: number;
  remembered_session_days: number;
  updated_at: Date;
}

/** The stored settings row, or undefined when none was saved yet (the defaults apply). */
export function findInstanceSettings(q: Executor = db): Promise<InstanceSettingsRow | undefined> {
  return q<InstanceSettingsRow>("instance_settings").where({ id: 1 }).first();
}

/** Writes the settings row (inserting it the first time) and returns it. */
export async function saveInstanceSettings(fields: Omit<InstanceSettingsRow, "id" | "updated_at">, q: Executor = db): Promise<InstanceSettingsRow> {
  const [row] = await q<InstanceSettingsRow>("instance_settings")
    .insert({ id: 1, ...fields, updated_at: q.fn.now() as unknown as Date })
    .onConflict("id")
    .merge()
    .returning("*");
  return row!;
}
