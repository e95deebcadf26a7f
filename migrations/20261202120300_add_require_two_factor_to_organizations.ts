import type { Knex } from "knex";

// Whether an organization requires its members to have two-factor authentication on. Set by owners;
// a member without it reaches only the organization's overview (which says what to do) until they
// turn it on in their security settings.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("organizations", (t) => {
    t.boolean("require_two_factor").notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("organizations", (t) => {
    t.dropColumn("require_two_factor");
  });
}
