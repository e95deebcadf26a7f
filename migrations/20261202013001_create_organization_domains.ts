import type { Knex } from "knex";

// The email domains an organization claims. A claim starts unverified with a random value the
// owners publish as a DNS TXT record; it is verified by that record or by a site admin. Any number
// of organizations may claim a domain, but only one can hold it verified (the partial unique
// index): whoever verifies first wins, and the other verification fails on the index, however
// close together the two arrive. Domains are stored lowercased (ASCII, punycode for IDNs).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("organization_domains", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.text("domain").notNullable();
    t.text("verification_token").notNullable();
    t.timestamp("verified_at", { useTz: true });
    t.text("verified_by");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["organization_id", "domain"], { indexName: "organization_domains_claim_unique" });
  });
  await knex.raw(`ALTER TABLE organization_domains
    ADD CONSTRAINT organization_domains_lowercase_check CHECK (domain = lower(domain)),
    ADD CONSTRAINT organization_domains_verified_by_check CHECK ((verified_at IS NULL) = (verified_by IS NULL) AND verified_by IN ('dns', 'admin'))`);
  await knex.raw("CREATE UNIQUE INDEX organization_domains_verified_unique ON organization_domains (domain) WHERE verified_at IS NOT NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("organization_domains");
}
