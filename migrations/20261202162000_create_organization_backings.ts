import type { Knex } from "knex";

// An organization backed by a group at an identity provider (a GitHub organization): at most one
// per organization. The owner's provider token is kept sealed (AES-GCM, src/auth/secret-box.ts) and
// only while backing is on; a row is deleted, token and all, when backing is turned off.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("organization_backings", (t) => {
    t.integer("organization_id").primary().references("organizations.id").onDelete("CASCADE");
    t.text("provider").notNullable();
    t.text("provider_org_id").notNullable();
    t.text("provider_org_login").notNullable();
    t.text("token_sealed").notNullable();
    t.integer("connected_by").references("users.id").onDelete("SET NULL");
    t.boolean("self_join").notNullable().defaultTo(false);
    t.timestamp("broken_at", { useTz: true });
    t.timestamp("checked_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("ALTER TABLE organization_backings ADD CONSTRAINT organization_backings_provider_check CHECK (provider IN ('github'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("organization_backings");
}
