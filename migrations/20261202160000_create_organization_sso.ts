import type { Knex } from "knex";

// One identity provider per organization (the primary key is the organization), SAML 2.0 or OpenID
// Connect. The OIDC client secret is kept sealed by the app's secret box, never in the clear. SSO
// identities themselves live in `identities` with provider `sso:<organization id>`, so the unique
// (provider, provider_user_id) constraint already makes one IdP subject belong to one account.
//
// sso_assertions remembers every accepted SAML assertion id until it expires: the unique key makes
// a second post of the same assertion fail even when two arrive at the same moment (one wins).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("organization_sso_providers", (t) => {
    t.bigInteger("organization_id").primary().references("organizations.id").onDelete("CASCADE");
    t.text("protocol").notNullable();
    t.text("oidc_issuer").nullable();
    t.text("oidc_client_id").nullable();
    t.text("oidc_client_secret_sealed").nullable();
    t.jsonb("oidc_metadata").nullable();
    t.text("saml_entity_id").nullable();
    t.text("saml_sso_url").nullable();
    t.text("saml_certificate").nullable();
    t.boolean("require_sso").notNullable().defaultTo(false);
    t.integer("session_lifetime_hours").notNullable().defaultTo(12);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE organization_sso_providers ADD CONSTRAINT organization_sso_providers_protocol_check CHECK (
    (protocol = 'oidc' AND oidc_issuer IS NOT NULL AND oidc_client_id IS NOT NULL AND oidc_client_secret_sealed IS NOT NULL AND oidc_metadata IS NOT NULL)
    OR (protocol = 'saml' AND saml_entity_id IS NOT NULL AND saml_sso_url IS NOT NULL AND saml_certificate IS NOT NULL))`);
  await knex.raw("ALTER TABLE organization_sso_providers ADD CONSTRAINT organization_sso_providers_lifetime_check CHECK (session_lifetime_hours BETWEEN 1 AND 720)");
  await knex.schema.createTable("sso_assertions", (t) => {
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.text("assertion_id").notNullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.primary(["organization_id", "assertion_id"], { constraintName: "sso_assertions_pkey" });
    t.index(["expires_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("sso_assertions");
  await knex.schema.dropTable("organization_sso_providers");
}
