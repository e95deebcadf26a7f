import type { Knex } from "knex";

// Outgoing mail is queued here in the same transaction as the change that causes it (no mail for a
// rolled-back signup, no lost mail for a committed one) and sent by a worker in any app process.
// Bodies hold live links, so a sent mail's bodies are erased unless it is the development outbox.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("outbound_mails", (t) => {
    t.bigIncrements("id").primary();
    t.text("to").notNullable();
    t.text("subject").notNullable();
    t.text("text");
    t.text("html");
    t.integer("attempts").notNullable().defaultTo(0);
    t.timestamp("next_attempt_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("sent_at", { useTz: true });
    t.text("last_error");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("CREATE INDEX outbound_mails_due_idx ON outbound_mails (next_attempt_at) WHERE sent_at IS NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("outbound_mails");
}
