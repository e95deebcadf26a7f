import type { Knex } from "knex";

// Every site-admin action: who, what, whom, when, from where. Append-only: a trigger refuses every
// UPDATE and DELETE, whoever sends it, so not even a bug in the app (or a hand with psql and the
// app's role) can rewrite history. For the same reason there are no foreign keys: deleting a user or
// an organization must not cascade into (or be blocked by) the log, so the actor and the target are
// kept as ids plus the names they had at the time.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("admin_audit_events", (t) => {
    t.bigIncrements("id");
    t.bigInteger("actor_id").nullable();
    t.text("actor_username").notNullable();
    t.text("action").notNullable();
    t.text("target_type").nullable();
    t.bigInteger("target_id").nullable();
    t.text("target_label").nullable();
    t.jsonb("details").notNullable().defaultTo("{}");
    t.text("ip").nullable();
    t.text("user_agent").nullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    CREATE FUNCTION admin_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'admin_audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER admin_audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON admin_audit_events
      FOR EACH ROW EXECUTE FUNCTION admin_audit_events_append_only();`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("admin_audit_events");
  await knex.raw("DROP FUNCTION IF EXISTS admin_audit_events_append_only()");
}
