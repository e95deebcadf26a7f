import type { Knex } from "knex";

// A personal token made for admin use, chosen at creation and only offered to site admins. The
// admin API needs both this flag and the owner still being a site admin, so an everyday token that
// leaks (a CI log) never reaches the admin endpoints.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.boolean("admin").notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.dropColumn("admin");
  });
}
