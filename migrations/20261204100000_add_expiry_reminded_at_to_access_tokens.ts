import type { Knex } from "knex";

// Whoever is responsible for an access token (its owner, or an organization's owners) is mailed
// once, a few days before it expires (src/services/token-expiry-reminders.ts); expiry_reminded_at
// records that the reminder was queued, so it is never sent twice, whichever process runs the job.
// The partial index holds only the tokens still waiting for theirs, which is what the hourly job scans.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.timestamp("expiry_reminded_at", { useTz: true });
  });
  await knex.raw(
    "CREATE INDEX access_tokens_awaiting_expiry_reminder ON access_tokens (expires_at) WHERE revoked_at IS NULL AND expiry_reminded_at IS NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP INDEX access_tokens_awaiting_expiry_reminder");
  await knex.schema.alterTable("access_tokens", (t) => {
    t.dropColumn("expiry_reminded_at");
  });
}
