import type { Knex } from "knex";

// Organizations can also be backed by a GitLab group or a Bitbucket workspace. Their OAuth tokens
// expire (after two hours) and come with a refresh token: both are kept sealed like the token, and
// only while backing is on (the row, with them, is deleted when backing is turned off).
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE organization_backings DROP CONSTRAINT organization_backings_provider_check");
  await knex.raw("ALTER TABLE organization_backings ADD CONSTRAINT organization_backings_provider_check CHECK (provider IN ('github', 'gitlab', 'bitbucket'))");
  await knex.schema.alterTable("organization_backings", (t) => {
    t.text("refresh_token_sealed");
    t.timestamp("token_expires_at", { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("organization_backings", (t) => {
    t.dropColumn("refresh_token_sealed");
    t.dropColumn("token_expires_at");
  });
  await knex.raw("DELETE FROM organization_backings WHERE provider <> 'github'");
  await knex.raw("ALTER TABLE organization_backings DROP CONSTRAINT organization_backings_provider_check");
  await knex.raw("ALTER TABLE organization_backings ADD CONSTRAINT organization_backings_provider_check CHECK (provider IN ('github'))");
}
