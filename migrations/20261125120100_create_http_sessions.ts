import type { Knex } from "knex";

// The table connect-pg-simple reads and writes (its documented schema), so that every app process
// behind a load balancer sees the same sessions.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE http_sessions (
    sid varchar NOT NULL PRIMARY KEY,
    sess json NOT NULL,
    expire timestamp(6) NOT NULL
  )`);
  await knex.raw("CREATE INDEX http_sessions_expire_idx ON http_sessions (expire)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("http_sessions");
}
