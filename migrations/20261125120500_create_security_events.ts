import type { Knex } from "knex";

// The security log shown to each user (sign-ins, password and email changes, tokens, 2FA). It keeps
// what happened, from which IP and browser, never secrets.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("security_events", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("action").notNullable();
    t.text("ip");
    t.text("user_agent");
    t.jsonb("details").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["user_id", "created_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("security_events");
}
