import type { Knex } from "knex";

// Whether a personal token may create other tokens through the API. Off unless its owner asked for
// it on the settings page: a token leaked from a CI log must not be able to mint itself a
// successor that survives its revocation. A token made by a token never outlives it (enforced
// where tokens are created, src/services/token-from-token.ts), and never gets this flag itself.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.boolean("can_create_tokens").notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.dropColumn("can_create_tokens");
  });
}
