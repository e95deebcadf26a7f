import type { Knex } from "knex";

// The public-profile fields of a user. Limits are enforced in the form schema and again here, so a
// code path that skips the form still cannot store an oversized bio or more than four links. The
// profile is private until its owner turns it on.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (t) => {
    t.text("bio").notNullable().defaultTo("");
    t.specificType("links", "text[]").notNullable().defaultTo("{}");
    t.boolean("profile_public").notNullable().defaultTo(false);
  });
  await knex.raw(`ALTER TABLE users
    ADD CONSTRAINT users_bio_length CHECK (char_length(bio) <= 160),
    ADD CONSTRAINT users_links_count CHECK (cardinality(links) <= 4),
    ADD CONSTRAINT users_display_name_length CHECK (char_length(display_name) <= 64)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE users
    DROP CONSTRAINT users_display_name_length,
    DROP CONSTRAINT users_links_count,
    DROP CONSTRAINT users_bio_length`);
  await knex.schema.alterTable("users", (t) => {
    t.dropColumn("profile_public");
    t.dropColumn("links");
    t.dropColumn("bio");
  });
}
