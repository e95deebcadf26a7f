import type { Knex } from "knex";

// Personal access tokens (and, once organizations land, organization and team tokens). Only the
// SHA-256 of a token is stored (unique: the bearer check is one indexed lookup by hash); the prefix
// and last 4 characters are kept so people can tell their tokens apart. Revoked rows stay for the
// record; `created_via` says whether a token came from the settings page, the API or a CLI sign-in,
// with the CLI's client id and the host it was approved from.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("access_tokens", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("description").notNullable();
    t.binary("token_hash").notNullable().unique();
    t.text("token_prefix").notNullable();
    t.text("last4").notNullable();
    t.text("created_via").notNullable();
    t.text("cli_client");
    t.text("cli_host");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_used_at", { useTz: true });
    t.timestamp("expires_at", { useTz: true });
    t.timestamp("revoked_at", { useTz: true });
    t.index(["user_id", "created_at"]);
  });
  await knex.raw(`ALTER TABLE access_tokens
    ADD CONSTRAINT access_tokens_description_length CHECK (char_length(description) BETWEEN 1 AND 100),
    ADD CONSTRAINT access_tokens_last4_length CHECK (char_length(last4) = 4),
    ADD CONSTRAINT access_tokens_created_via CHECK (created_via IN ('web', 'api', 'cli')),
    ADD CONSTRAINT access_tokens_cli_fields CHECK ((created_via = 'cli') = (cli_client IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("access_tokens");
}
