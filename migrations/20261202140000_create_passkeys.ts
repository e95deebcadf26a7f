import type { Knex } from "knex";

// Passkeys and security keys (WebAuthn credentials). The credential id is unique across all
// accounts: an authenticator's response names its credential, and that name must lead to exactly
// one account. The public key is what checks each sign-in's signature; the counter is kept for clone
// detection; user_handle is the random id the authenticator stores with a discoverable credential
// (never the numeric user id or the address, which the spec says must not go into an authenticator).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("passkeys", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("name").notNullable();
    t.text("credential_id").notNullable().unique({ indexName: "passkeys_credential_id_unique" });
    t.binary("public_key").notNullable();
    t.bigInteger("counter").notNullable().defaultTo(0);
    t.specificType("transports", "text[]").notNullable().defaultTo("{}");
    t.text("device_type").notNullable();
    t.boolean("backed_up").notNullable().defaultTo(false);
    t.text("user_handle").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_used_at", { useTz: true });
    t.index(["user_id"]);
  });
  // A WebAuthn challenge is single use even when two requests carry the same response at the same
  // moment: the first to insert it wins. Rows live until the challenge would have expired anyway.
  await knex.schema.createTable("used_webauthn_challenges", (t) => {
    t.text("challenge").primary();
    t.timestamp("expires_at", { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("used_webauthn_challenges");
  await knex.schema.dropTable("passkeys");
}
