import type { Knex } from "knex";

// SCIM 2.0 provisioning of an organization by its identity provider (Okta, Entra ID).
//
// scim_tokens: the bearer tokens an owner makes for the organization's IdP. Same format and storage
// as access tokens (SHA-256 only, prefix gts_, last 4 kept), but their own table: a SCIM token is
// not an API token (it reaches only /scim/v2/orgs/<org>, and the API's bearer lookup never finds it).
//
// scim_users: the IdP's record of one person in one organization: its userName and externalId
// (each unique within the organization, case-insensitively for userName), and the name and emails
// it asserted (kept here, never written into the person's own account). Whether that person is
// active is whether a membership row exists: one fact, which the member pages and SCIM both read.
//
// scim_groups: the IdP's externalId for a team it manages; the team row itself is the group.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("scim_tokens", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.binary("token_hash").notNullable().unique();
    t.text("token_prefix").notNullable();
    t.text("last4").notNullable();
    t.bigInteger("created_by_id").references("users.id").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_used_at", { useTz: true });
    t.timestamp("revoked_at", { useTz: true });
    t.index(["organization_id", "created_at"]);
  });
  await knex.raw(`ALTER TABLE scim_tokens
    ADD CONSTRAINT scim_tokens_prefix CHECK (token_prefix = 'gts_'),
    ADD CONSTRAINT scim_tokens_last4_length CHECK (char_length(last4) = 4)`);

  await knex.schema.createTable("scim_users", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.specificType("user_name", "citext").notNullable();
    t.text("external_id");
    t.jsonb("profile").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["organization_id", "user_id"], { indexName: "scim_users_organization_user_unique" });
    t.unique(["organization_id", "user_name"], { indexName: "scim_users_organization_user_name_unique" });
    t.unique(["organization_id", "external_id"], { indexName: "scim_users_organization_external_id_unique" });
    t.index(["user_id"]);
  });
  await knex.raw(`ALTER TABLE scim_users
    ADD CONSTRAINT scim_users_user_name_length CHECK (char_length(user_name::text) BETWEEN 1 AND 256),
    ADD CONSTRAINT scim_users_external_id_length CHECK (external_id IS NULL OR char_length(external_id) BETWEEN 1 AND 256)`);

  await knex.schema.createTable("scim_groups", (t) => {
    t.bigInteger("organization_id").notNullable();
    t.bigInteger("team_id").notNullable().primary();
    t.text("external_id").notNullable();
    t.foreign(["organization_id", "team_id"]).references(["organization_id", "id"]).inTable("teams").onDelete("CASCADE");
    t.unique(["organization_id", "external_id"], { indexName: "scim_groups_organization_external_id_unique" });
  });
  await knex.raw("ALTER TABLE scim_groups ADD CONSTRAINT scim_groups_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 256)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("scim_groups");
  await knex.schema.dropTable("scim_users");
  await knex.schema.dropTable("scim_tokens");
}
