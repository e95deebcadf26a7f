import type { Knex } from "knex";

// Recovery codes: ten per user, each usable once. Only the SHA-256 of each 80-bit code is stored,
// too many possibilities to search offline; not keyed with SESSION_SECRET, so that the codes still
// work after it changes (they are the way back in when the encrypted TOTP secret no longer opens). A used code keeps its row with used_at set, so "N left" counts and the single use
// is one conditional UPDATE. Regenerating deletes the whole set first.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("recovery_codes", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.binary("code_hash").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("used_at", { useTz: true });
    t.unique(["user_id", "code_hash"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("recovery_codes");
}
