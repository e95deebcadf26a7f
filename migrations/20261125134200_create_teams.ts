import type { Knex } from "knex";

// Teams inside an organization, and their members. The composite foreign keys make two rules hold
// in the database: a team member is always a member of the team's organization (removing someone
// from the organization removes them from its teams), and a team row can only point at a team of
// that same organization.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("teams", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("organization_id").notNullable().references("organizations.id").onDelete("CASCADE");
    t.text("name").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["organization_id", "id"], { indexName: "teams_organization_id_unique" });
  });
  await knex.raw("CREATE UNIQUE INDEX teams_organization_name_unique ON teams (organization_id, lower(name))");
  await knex.raw("ALTER TABLE teams ADD CONSTRAINT teams_name_length CHECK (char_length(name) BETWEEN 1 AND 64)");

  await knex.schema.createTable("team_memberships", (t) => {
    t.bigInteger("organization_id").notNullable();
    t.bigInteger("team_id").notNullable();
    t.bigInteger("user_id").notNullable();
    t.boolean("maintainer").notNullable().defaultTo(false);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(["team_id", "user_id"]);
    t.foreign(["organization_id", "team_id"]).references(["organization_id", "id"]).inTable("teams").onDelete("CASCADE");
    t.foreign(["organization_id", "user_id"]).references(["organization_id", "user_id"]).inTable("memberships").onDelete("CASCADE");
    t.index(["organization_id", "user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("team_memberships");
  await knex.schema.dropTable("teams");
}
