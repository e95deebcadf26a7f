import type { Knex } from "knex";

// citext gives case-insensitive uniqueness for emails and usernames in the database itself, so two
// concurrent sign-ups for "Ana" and "ana" cannot both succeed.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE EXTENSION IF NOT EXISTS citext");
  await knex.schema.createTable("users", (t) => {
    t.bigIncrements("id").primary();
    t.specificType("username", "citext").notNullable().unique();
    t.specificType("email", "citext").notNullable().unique();
    t.timestamp("email_confirmed_at", { useTz: true });
    t.text("password_hash");
    t.text("display_name").notNullable().defaultTo("");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_username_format
    CHECK (username::text ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(username) <= 39)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("users");
}
