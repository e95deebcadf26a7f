import type { Knex } from "knex";

// Who with a confirmed address at one of the organization's verified domains may join it: nobody
// by that route ('off', the default), anyone after an owner or admin approves ('request'), or
// anyone at once as a member ('direct').
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("organizations", (t) => {
    t.text("join_policy").notNullable().defaultTo("off");
  });
  await knex.raw("ALTER TABLE organizations ADD CONSTRAINT organizations_join_policy_check CHECK (join_policy IN ('off', 'request', 'direct'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("organizations", (t) => {
    t.dropColumn("join_policy");
  });
}
