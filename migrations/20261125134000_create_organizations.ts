import type { Knex } from "knex";

// Organizations, addressed by a URL slug with the same rules as usernames.
//
// A slug and a username share one namespace (both become URLs people type). The unique index keeps
// slugs unique among themselves; across the two tables a BEFORE trigger on each side checks the
// other table. A separate `handles` table would also work, but it would have to be kept in step by
// every code path that creates or renames a user (signup, account settings, providers, admin); the
// triggers need no cooperation from that code. Both triggers first take the same transaction-level
// advisory lock on the lower-cased handle, so a user "acme" and an org "Acme" created at the same
// moment serialize and the second one sees the first. They raise unique_violation with the name of
// the table's own unique constraint, so callers that already map "username taken" handle it too.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("organizations", (t) => {
    t.bigIncrements("id").primary();
    t.specificType("slug", "citext").notNullable().unique({ indexName: "organizations_slug_unique" });
    t.text("name").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE organizations
    ADD CONSTRAINT organizations_slug_format CHECK (slug::text ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(slug) <= 39),
    ADD CONSTRAINT organizations_name_length CHECK (char_length(name) BETWEEN 1 AND 64)`);

  await knex.raw(`
    CREATE FUNCTION handles_check_free() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      handle citext;
    BEGIN
      IF TG_TABLE_NAME = 'users' THEN handle := NEW.username; ELSE handle := NEW.slug; END IF;
      PERFORM pg_advisory_xact_lock(hashtext('handle:' || lower(handle::text)));
      IF TG_TABLE_NAME = 'users' THEN
        IF EXISTS (SELECT 1 FROM organizations WHERE slug = handle) THEN
          RAISE EXCEPTION 'the name % is taken by an organization', handle
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_username_unique';
        END IF;
      ELSIF EXISTS (SELECT 1 FROM users WHERE username = handle) THEN
        RAISE EXCEPTION 'the name % is taken by a user', handle
          USING ERRCODE = 'unique_violation', CONSTRAINT = 'organizations_slug_unique';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER organizations_slug_free BEFORE INSERT OR UPDATE OF slug ON organizations
    FOR EACH ROW EXECUTE FUNCTION handles_check_free()`);
  await knex.raw(`CREATE TRIGGER users_username_free BEFORE INSERT OR UPDATE OF username ON users
    FOR EACH ROW EXECUTE FUNCTION handles_check_free()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TRIGGER users_username_free ON users");
  await knex.schema.dropTable("organizations");
  await knex.raw("DROP FUNCTION handles_check_free()");
}
