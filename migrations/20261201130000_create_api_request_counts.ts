import type { Knex } from "knex";

// How many API requests each token made in each fixed window (src/http/batched-rate-limit.ts). App
// processes count in memory and add their counts here in one statement at most once a second, so a
// request never waits for a write and the limit still holds across processes. The primary key leads
// with window_start so that dropping ended windows is a range delete on the index.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE api_request_counts (
    window_start timestamptz NOT NULL,
    key text NOT NULL,
    count integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (window_start, key)
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("api_request_counts");
}
