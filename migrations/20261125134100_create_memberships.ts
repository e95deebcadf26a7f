import type { Knex } from "knex";

// Who belongs to which organization, with one role each.
//
// "An organization always keeps at least one owner" is enforced twice. The services lock the
// organization row (SELECT ... FOR UPDATE) before demoting, removing or letting an owner leave, then
// count the owners; that gives people a clear message. Underneath, a deferred constraint trigger
// checks the same rule at commit for any change that took an owner away, whoever made it (a
// cascade from deleting a user included). The trigger also locks the organization row before it
// counts, so two transactions that each demote a different owner cannot both pass: the second one
// waits, then counts with the first one's change visible. When the organization itself is gone
// (deleted in the same transaction), there is nothing left to protect. A new organization must have
// an owner by the end of the transaction that created it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("memberships", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.bigInteger("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("role").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["organization_id", "user_id"], { indexName: "memberships_organization_user_unique" });
    t.index(["user_id"]);
  });
  await knex.raw("ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'admin', 'member'))");

  await knex.raw(`
    CREATE FUNCTION organizations_keep_an_owner() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      org_id bigint;
    BEGIN
      IF TG_TABLE_NAME = 'organizations' THEN org_id := NEW.id; ELSE org_id := OLD.organization_id; END IF;
      PERFORM 1 FROM organizations WHERE id = org_id FOR UPDATE;
      IF NOT FOUND THEN RETURN NULL; END IF;
      IF NOT EXISTS (SELECT 1 FROM memberships WHERE organization_id = org_id AND role = 'owner') THEN
        RAISE EXCEPTION 'organization % would have no owner', org_id
          USING ERRCODE = 'check_violation', CONSTRAINT = 'organizations_keep_an_owner';
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER memberships_keep_an_owner AFTER UPDATE OR DELETE ON memberships
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION organizations_keep_an_owner()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER organizations_start_with_an_owner AFTER INSERT ON organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION organizations_keep_an_owner()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TRIGGER organizations_start_with_an_owner ON organizations");
  await knex.schema.dropTable("memberships");
  await knex.raw("DROP FUNCTION organizations_keep_an_owner()");
}
