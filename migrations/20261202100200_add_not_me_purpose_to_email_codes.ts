import type { Knex } from "knex";

// "This wasn't me" links in security mails carry a one-time code of their own (purpose not_me).
// Unlike the other purposes, an account may hold several at once: each security mail has its own
// link, and the owner may follow the link in the first mail of several an intruder caused. So
// (user_id, purpose) stays unique for the other purposes only.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE email_codes DROP CONSTRAINT email_codes_purpose");
  await knex.raw(`ALTER TABLE email_codes ADD CONSTRAINT email_codes_purpose
    CHECK (purpose IN ('email_confirmation', 'password_reset', 'email_change', 'not_me'))`);
  await knex.raw("ALTER TABLE email_codes DROP CONSTRAINT email_codes_user_id_purpose_unique");
  await knex.raw("CREATE UNIQUE INDEX email_codes_user_id_purpose_unique ON email_codes (user_id, purpose) WHERE purpose <> 'not_me'");
  await knex.raw("CREATE INDEX email_codes_user_id_idx ON email_codes (user_id) WHERE purpose = 'not_me'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM email_codes WHERE purpose = 'not_me'");
  await knex.raw("DROP INDEX email_codes_user_id_idx");
  await knex.raw("DROP INDEX email_codes_user_id_purpose_unique");
  await knex.raw("ALTER TABLE email_codes ADD CONSTRAINT email_codes_user_id_purpose_unique UNIQUE (user_id, purpose)");
  await knex.raw("ALTER TABLE email_codes DROP CONSTRAINT email_codes_purpose");
  await knex.raw(`ALTER TABLE email_codes ADD CONSTRAINT email_codes_purpose
    CHECK (purpose IN ('email_confirmation', 'password_reset', 'email_change'))`);
}
