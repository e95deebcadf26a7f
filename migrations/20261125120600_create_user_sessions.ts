import type { Knex } from "knex";

// Our record of each signed-in browser session, keyed by the express-session id: who, from where,
// since when. connect-pg-simple's row only holds the opaque session, so listing or ending one user's
// sessions goes through this table (indexed by user) instead of scanning every session.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("user_sessions", (t) => {
    t.string("sid").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("ip");
    t.text("user_agent");
    t.boolean("remember").notNullable().defaultTo(false);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_seen_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("user_sessions");
}
