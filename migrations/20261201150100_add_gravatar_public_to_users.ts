import type { Knex } from "knex";

// Whether the public profile shows the owner's Gravatar image. A Gravatar URL carries a hash of the
// email address, and anyone can hash the addresses they know or guess and compare: on a public page
// the hash gives the address away. So it is the owner's choice, and off until they make it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.boolean("gravatar_public").notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.dropColumn("gravatar_public");
  });
}
