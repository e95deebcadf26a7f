import type { Knex } from "knex";

// Authorization codes of the CLI sign-in (OAuth 2.0 authorization code + PKCE). Stored as SHA-256
// only, bound to the client, the exact loopback redirect URI and the PKCE challenge; they live ten
// minutes and are deleted when redeemed, so each works once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("oauth_authorization_codes", (t) => {
    t.bigIncrements("id").primary();
    t.binary("code_hash").notNullable().unique();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("client_id").notNullable();
    t.text("redirect_uri").notNullable();
    t.text("code_challenge").notNullable();
    t.text("requesting_host");
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["expires_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("oauth_authorization_codes");
}
