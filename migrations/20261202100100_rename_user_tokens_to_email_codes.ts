import type { Knex } from "knex";

// The table of one-time codes mailed to an address (email confirmation, password reset, email
// change) was called user_tokens, next to access_tokens, the personal access tokens: two kinds of
// secret with nothing in common but the word. It is email_codes now, with its sequence, constraints
// and their indexes renamed alike, so that no name in the schema still says user_tokens.
const RENAMED_CONSTRAINTS = ["pkey", "user_id_foreign", "token_hash_unique", "user_id_purpose_unique", "purpose"];

export async function up(knex: Knex): Promise<void> {
  await rename(knex, "user_tokens", "email_codes");
}

export async function down(knex: Knex): Promise<void> {
  await rename(knex, "email_codes", "user_tokens");
}

async function rename(knex: Knex, from: string, to: string) {
  await knex.raw(`ALTER TABLE ${from} RENAME TO ${to}`);
  await knex.raw(`ALTER SEQUENCE ${from}_id_seq RENAME TO ${to}_id_seq`);
  // Renaming a primary key or unique constraint renames the index behind it too.
  for (const suffix of RENAMED_CONSTRAINTS) await knex.raw(`ALTER TABLE ${to} RENAME CONSTRAINT ${from}_${suffix} TO ${to}_${suffix}`);
}
