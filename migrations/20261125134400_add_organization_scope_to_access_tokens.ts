import type { Knex } from "knex";

// Organization and team access tokens share the access_tokens table (same format, same hashed
// storage, same bearer lookup) with personal tokens. Such a token belongs to an organization (and,
// for a team token, to one of its teams) and to no user: user_id is empty, so no query scoped to a
// user ever returns it and it can never act as a person. created_by_id only records who made it.
// The check ties each prefix to exactly its scope; the composite foreign key keeps a team token
// inside its team's organization, and deleting the organization or the team deletes its tokens.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("access_tokens", (t) => {
    t.bigInteger("organization_id").references("organizations.id").onDelete("CASCADE");
    t.bigInteger("team_id");
    t.bigInteger("created_by_id").references("users.id").onDelete("SET NULL");
    t.foreign(["organization_id", "team_id"]).references(["organization_id", "id"]).inTable("teams").onDelete("CASCADE");
    t.index(["organization_id", "created_at"]);
  });
  await knex.raw("ALTER TABLE access_tokens ALTER COLUMN user_id DROP NOT NULL");
  await knex.raw(`ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_scope CHECK (
    (token_prefix = 'gth_' AND user_id IS NOT NULL AND organization_id IS NULL AND team_id IS NULL) OR
    (token_prefix = 'gto_' AND user_id IS NULL AND organization_id IS NOT NULL AND team_id IS NULL) OR
    (token_prefix = 'gtt_' AND user_id IS NULL AND organization_id IS NOT NULL AND team_id IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex("access_tokens").whereNull("user_id").delete();
  await knex.raw("ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_scope");
  await knex.raw("ALTER TABLE access_tokens ALTER COLUMN user_id SET NOT NULL");
  await knex.schema.alterTable("access_tokens", (t) => {
    t.dropForeign(["organization_id", "team_id"]);
    t.dropIndex(["organization_id", "created_at"]);
    t.dropColumn("created_by_id");
    t.dropColumn("team_id");
    t.dropColumn("organization_id");
  });
}
