import type { Knex } from "knex";

// Each user's choice of email per notification category. A missing row means the category's default
// (see src/services/notification-preferences.ts). Security mail has no row on purpose: it cannot be
// turned off, and the check constraint keeps a forged request from storing a preference for it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("notification_preferences", (t) => {
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("category").notNullable();
    t.boolean("email").notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(["user_id", "category"]);
  });
  await knex.raw("ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_category_check CHECK (category IN ('organization', 'product'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("notification_preferences");
}
