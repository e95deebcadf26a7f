import type { Knex } from "knex";

// One table for browser sessions, replacing connect-pg-simple's http_sessions and our user_sessions
// records beside it. Whether a session is signed in is decided by user_id and ended_at here, which
// only sign-in and the ways of ending a session write: the session store writes `data` (flash
// messages, flow state) and never these columns, so a request still in flight when its session was
// ended cannot bring it back. Ended rows are kept (ended_at set) until pruned, so a late write
// finds the marker instead of an empty slot. Existing sessions are not carried over: everybody signs
// in once more after this migration.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE sessions (
    sid text PRIMARY KEY,
    public_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    data jsonb NOT NULL DEFAULT '{}',
    user_id bigint REFERENCES users (id) ON DELETE CASCADE,
    remember boolean NOT NULL DEFAULT false,
    ip text,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    signed_in_at timestamptz,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    ended_at timestamptz,
    CHECK (expires_at <= absolute_expires_at),
    CHECK (user_id IS NULL OR signed_in_at IS NOT NULL)
  )`);
  await knex.raw("CREATE INDEX sessions_user_id_idx ON sessions (user_id) WHERE user_id IS NOT NULL AND ended_at IS NULL");
  await knex.raw("CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)");
  await knex.raw("DROP TABLE user_sessions");
  await knex.raw("DROP TABLE http_sessions");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE sessions");
  await knex.raw(`CREATE TABLE http_sessions (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`);
  await knex.raw("CREATE INDEX http_sessions_expire_idx ON http_sessions (expire)");
  await knex.raw(`CREATE TABLE user_sessions (
    sid varchar PRIMARY KEY REFERENCES http_sessions (sid) ON DELETE CASCADE,
    public_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip text, user_agent text, remember boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(), last_seen_at timestamptz NOT NULL DEFAULT now()
  )`);
}
