import type { Knex } from "knex";

// The organization's own log (members joined and removed, roles, invitations, tokens, settings),
// shown to its owners and admins. The actor is kept by id while the account exists and by name
// always, so the log still reads after the actor's account is gone.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("organization_events", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.bigInteger("actor_user_id").references("users.id").onDelete("SET NULL");
    t.text("actor_name").notNullable();
    t.text("action").notNullable();
    t.jsonb("details").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["organization_id", "id"]);
    t.index(["created_at"]);
  });
  // The yearly prune of the personal log deletes by age across all users.
  await knex.schema.alterTable("security_events", (t) => {
    t.index(["created_at"], "security_events_created_at_index");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("security_events", (t) => {
    t.dropIndex(["created_at"], "security_events_created_at_index");
  });
  await knex.schema.dropTable("organization_events");
}
