import type { Knex } from "knex";

// Site administration, distinct from organization roles: `is_site_admin` is granted only on the
// server (npm run admin, ADMIN_USERNAMES) or by another site admin. `suspended_at` set means every
// session and token of the account is refused and sign-in is refused with a message saying so.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.boolean("is_site_admin").notNullable().defaultTo(false);
    t.timestamp("suspended_at", { useTz: true }).nullable();
  });
  await knex.raw("CREATE INDEX users_site_admins_idx ON users (id) WHERE is_site_admin");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP INDEX IF EXISTS users_site_admins_idx");
  await knex.schema.alterTable("users", (t) => {
    t.dropColumn("suspended_at");
    t.dropColumn("is_site_admin");
  });
}
