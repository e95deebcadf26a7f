import type { Knex } from "knex";

// Counters for rate-limiter-flexible's PostgreSQL store (its documented columns), shared by every
// app process so that limits hold behind a load balancer.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("rate_limits");
}
