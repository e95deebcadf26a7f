import type { Knex } from "knex";

// Requests to join an organization from people with a confirmed address at one of its verified
// domains, approved or denied by its owners and admins. The address is kept as it was when the
// request was made, for the reviewers. At most one pending request per person and organization
// (the partial unique index), so a double click or two tabs make one request.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("join_requests", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.specificType("email", "citext").notNullable();
    t.text("status").notNullable().defaultTo("pending");
    t.bigInteger("decided_by_user_id").references("users.id").onDelete("SET NULL");
    t.timestamp("decided_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["organization_id", "status"]);
  });
  await knex.raw("ALTER TABLE join_requests ADD CONSTRAINT join_requests_status_check CHECK (status IN ('pending', 'approved', 'denied'))");
  await knex.raw("CREATE UNIQUE INDEX join_requests_pending_unique ON join_requests (organization_id, user_id) WHERE status = 'pending'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("join_requests");
}
