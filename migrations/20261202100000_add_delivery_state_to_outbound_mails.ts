import type { Knex } from "knex";

// What the mail worker needs to send each mail at most once per attempt and to stop trying:
// - message_id: the Message-ID header, chosen when the mail is queued, so a mail sent again (the
//   worker crashed after the SMTP server took it but before marking it sent) carries the same one
//   and mail clients show it once. Rows queued before this column get one here; their domain is
//   a placeholder, as the base URL is not known to a migration.
// - queued_at: when the mail entered the queue (its creation, or an admin's retry); the worker gives
//   up once delivery has failed for longer than MAIL_GIVE_UP_HOURS since then.
// - failed_at: when the worker gave up; last_error then says why. A failed mail keeps its bodies so
//   that it can be retried, and the due index leaves it out.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("outbound_mails", (t) => {
    t.text("message_id");
    t.timestamp("queued_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("failed_at", { useTz: true });
  });
  await knex.raw("UPDATE outbound_mails SET message_id = '<' || gen_random_uuid() || '@gatehouse.invalid>', queued_at = created_at");
  await knex.raw("ALTER TABLE outbound_mails ALTER COLUMN message_id SET NOT NULL");
  await knex.raw("ALTER TABLE outbound_mails ADD CONSTRAINT outbound_mails_message_id_unique UNIQUE (message_id)");
  await knex.raw("DROP INDEX outbound_mails_due_idx");
  await knex.raw("CREATE INDEX outbound_mails_due_idx ON outbound_mails (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL");
  await knex.raw("CREATE INDEX outbound_mails_failed_idx ON outbound_mails (failed_at) WHERE failed_at IS NOT NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP INDEX outbound_mails_failed_idx");
  await knex.raw("DROP INDEX outbound_mails_due_idx");
  await knex.raw("CREATE INDEX outbound_mails_due_idx ON outbound_mails (next_attempt_at) WHERE sent_at IS NULL");
  await knex.schema.alterTable("outbound_mails", (t) => {
    t.dropColumn("message_id");
    t.dropColumn("queued_at");
    t.dropColumn("failed_at");
  });
}
