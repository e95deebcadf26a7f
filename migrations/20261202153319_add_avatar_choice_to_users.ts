import type { Knex } from "knex";

// Which picture a person's avatar shows: a linked identity's provider picture ('provider', the
// default, as Pulumi and HCP Terraform take the picture from the identity provider), their Gravatar
// image, or only their initials. avatar_identity_id names the identity whose picture they chose;
// null means the oldest identity that has one. The composite foreign key makes the chosen identity
// the user's own (a form that names someone else's identity cannot pass), and unlinking it only
// clears the choice. People who had chosen to show their Gravatar publicly keep seeing it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("identities", (t) => {
    t.unique(["id", "user_id"], { indexName: "identities_id_user_unique" });
  });
  await knex.raw(`ALTER TABLE users
    ADD COLUMN avatar_source text NOT NULL DEFAULT 'provider',
    ADD COLUMN avatar_identity_id bigint,
    ADD CONSTRAINT users_avatar_source_check CHECK (avatar_source IN ('provider', 'gravatar', 'initials')),
    ADD CONSTRAINT users_avatar_identity_fk FOREIGN KEY (avatar_identity_id, id)
      REFERENCES identities (id, user_id) ON DELETE SET NULL (avatar_identity_id)`);
  await knex.raw(`UPDATE users SET avatar_source = 'gravatar' WHERE gravatar_public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE users DROP CONSTRAINT users_avatar_identity_fk, DROP COLUMN avatar_identity_id, DROP COLUMN avatar_source`);
  await knex.schema.alterTable("identities", (t) => {
    t.dropUnique(["id", "user_id"], "identities_id_user_unique");
  });
}
