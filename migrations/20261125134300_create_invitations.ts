import type { Knex } from "knex";

// Email invitations to an organization. Only the SHA-256 of the link's secret is stored (a leaked
// table yields no usable links); resending replaces the hash, so the old link stops working. The
// role and teams live here and nowhere else: accepting reads them from this row, never from the
// request. At most one pending invitation per address and organization.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("invitations", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.specificType("email", "citext").notNullable();
    t.text("role").notNullable();
    t.specificType("team_ids", "bigint[]").notNullable().defaultTo("{}");
    t.binary("token_hash").notNullable().unique({ indexName: "invitations_token_hash_unique" });
    t.bigInteger("inviter_id").references("users.id").onDelete("SET NULL");
    t.text("status").notNullable().defaultTo("pending");
    t.bigInteger("accepted_user_id").references("users.id").onDelete("SET NULL");
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("responded_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE invitations
    ADD CONSTRAINT invitations_role_check CHECK (role IN ('owner', 'admin', 'member')),
    ADD CONSTRAINT invitations_status_check CHECK (status IN ('pending', 'accepted', 'declined', 'revoked'))`);
  await knex.raw("CREATE UNIQUE INDEX invitations_pending_unique ON invitations (organization_id, email) WHERE status = 'pending'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("invitations");
}
