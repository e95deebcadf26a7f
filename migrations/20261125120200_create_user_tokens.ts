import type { Knex } from "knex";

// One-time codes mailed to a user (email confirmation, password reset, email change). Only the
// SHA-256 of the code is stored, so a database leak yields no usable links; (user_id, purpose) is
// unique, so issuing a new code replaces the old one and only the newest link works.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("user_tokens", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("purpose").notNullable();
    t.binary("token_hash").notNullable().unique();
    t.specificType("email", "citext");
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["user_id", "purpose"]);
  });
  await knex.raw(`ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose
    CHECK (purpose IN ('email_confirmation', 'password_reset', 'email_change'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("user_tokens");
}
