import type { Knex } from "knex";

// Our record of a session lives exactly as long as the session: when the session store prunes an
// expired session (or a revocation deletes it) the record goes too, so a user's rows stay the few
// sessions they really have and "listed in O(sessions of this user)" holds over the years.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM user_sessions WHERE NOT EXISTS (SELECT 1 FROM http_sessions WHERE http_sessions.sid = user_sessions.sid)");
  await knex.raw(
    "ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_sid_foreign FOREIGN KEY (sid) REFERENCES http_sessions (sid) ON DELETE CASCADE",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE user_sessions DROP CONSTRAINT user_sessions_sid_foreign");
}
