import type { Knex } from "knex";

// A user's TOTP authenticator, at most one. The secret is stored encrypted (AES-256-GCM under a key
// derived from SESSION_SECRET, src/auth/secret-box.ts), so a leaked dump or backup of the database
// alone does not give anyone the codes. A row with enabled_at NULL is a set-up that was started and
// not yet confirmed with a code; it protects nothing until then. last_used_step is the TOTP time
// step of the last code accepted: a code is accepted only for a later step, in one UPDATE, so a code
// seen by someone else (over a shoulder, by a phishing page) cannot be used again.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("totp_credentials", (t) => {
    t.bigInteger("user_id").primary().references("users.id").onDelete("CASCADE");
    t.text("secret_encrypted").notNullable();
    t.bigInteger("last_used_step");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("enabled_at", { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("totp_credentials");
}
