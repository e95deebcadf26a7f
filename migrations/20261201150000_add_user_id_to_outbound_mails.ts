import type { Knex } from "knex";

// The account a queued mail is for, so that "Export my data" lists the mail sent to this account
// and not every mail ever sent to its address: an address changes hands (email change, a deleted
// account's address signed up again), and the earlier owner's mail is not the new owner's data.
// NULL for mail to an address that is no account's business to claim (an invitation goes to an
// address, whoever holds it) and for rows queued before this column existed: which account they
// were for is not known, so they are attributed to none rather than guessed from the address.
// SET NULL, not CASCADE: deleting an account queues its goodbye mail in the same transaction.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("outbound_mails", (t) => {
    t.bigInteger("user_id").references("users.id").onDelete("SET NULL");
  });
  await knex.raw("CREATE INDEX outbound_mails_user_id_idx ON outbound_mails (user_id) WHERE user_id IS NOT NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("outbound_mails", (t) => {
    t.dropColumn("user_id");
  });
}
