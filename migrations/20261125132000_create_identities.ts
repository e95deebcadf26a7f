import type { Knex } from "knex";

// External identities (GitHub, GitLab, Atlassian, Google) linked to accounts. An identity is keyed by
// the provider and the provider's immutable user id, never by email: the unique constraint is what
// makes one provider account belong to at most one Gatehouse account, even under concurrent links.
// One identity per provider per account keeps the settings page and the last-method guard simple.
// No provider tokens are stored: we only need to know who the person is.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("identities", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("provider").notNullable();
    t.text("provider_user_id").notNullable();
    t.text("provider_username").notNullable().defaultTo("");
    t.text("avatar_url");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_used_at", { useTz: true });
    t.unique(["provider", "provider_user_id"], { indexName: "identities_provider_user_unique" });
    t.unique(["user_id", "provider"], { indexName: "identities_user_provider_unique" });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("identities");
}
