import type { Knex } from "knex";

// When the account finished (or skipped) the short "about you" step shown after its first sign-in
// (/welcome). Null means the step is still ahead. Accounts that existed before the step did are
// filled with the time of this migration by the column default, as are accounts made without the
// sign-up form; only a password sign-up stores null, so the step is shown once, to new people.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.timestamp("welcomed_at", { useTz: true }).nullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.dropColumn("welcomed_at");
  });
}
