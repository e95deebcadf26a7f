import type { Knex } from "knex";

// The sessions page names each session by an opaque random id instead of its express-session id:
// a session id in the HTML of another session would be a bearer credential for that session.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE user_sessions ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()");
  await knex.raw("ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_public_id_unique UNIQUE (public_id)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE user_sessions DROP COLUMN public_id");
}
