import type { Knex } from "knex";

// Whether an identity may stand for the account's email address. False for an identity attached to
// an account whose address was not yet proven, by a provider that did not vouch for it (the "no
// verified email, type one" sign-up): whoever typed the address may not own it, so such an identity
// cannot sign in while the account is unconfirmed, and it is removed when the address's owner
// confirms it or resets the password (unless the confirmation shows the same person holds both).
// Existing identities of still-unconfirmed accounts can only have come from that path. For accounts
// confirmed before this column existed, who confirmed cannot be told any more; they keep `true`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("identities", (t) => {
    t.boolean("vouched_for_address").notNullable().defaultTo(true);
  });
  await knex.raw(`UPDATE identities SET vouched_for_address = false
    FROM users WHERE users.id = identities.user_id AND users.email_confirmed_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("identities", (t) => {
    t.dropColumn("vouched_for_address");
  });
}
