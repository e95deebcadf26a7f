import type { Knex } from "knex";

// The instance's settings, edited by site admins on /admin/settings: one row (id = 1). A missing
// row means the defaults, which are also the column defaults.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("instance_settings", (t) => {
    t.smallint("id").primary().defaultTo(1);
    t.text("signup_mode").notNullable().defaultTo("open");
    t.specificType("signup_email_domains", "text[]").notNullable().defaultTo("{}");
    t.specificType("hidden_providers", "text[]").notNullable().defaultTo("{}");
    t.integer("password_min_length").notNullable().defaultTo(12);
    t.boolean("require_two_factor").notNullable().defaultTo(false);
    t.integer("session_idle_minutes").notNullable().defaultTo(30);
    t.integer("session_max_hours").notNullable().defaultTo(12);
    t.integer("remembered_session_days").notNullable().defaultTo(30);
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE instance_settings
    ADD CONSTRAINT instance_settings_one_row CHECK (id = 1),
    ADD CONSTRAINT instance_settings_signup_mode CHECK (signup_mode IN ('open', 'invite_only', 'closed')),
    ADD CONSTRAINT instance_settings_password_min_length CHECK (password_min_length BETWEEN 8 AND 128),
    ADD CONSTRAINT instance_settings_session_idle CHECK (session_idle_minutes BETWEEN 5 AND 1440),
    ADD CONSTRAINT instance_settings_session_max CHECK (session_max_hours BETWEEN 1 AND 720),
    ADD CONSTRAINT instance_settings_remembered CHECK (remembered_session_days BETWEEN 1 AND 365)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("instance_settings");
}
