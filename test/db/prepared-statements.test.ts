import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser, loginAs } from "../helpers/factories";
import { apiRequest, buildAccessToken } from "../helpers/tokens";
import { db } from "../../src/db/knex";

describe("prepared per-request statements", () => {
  const t = useTestApp();

  it("keep working when a migration adds columns to the tables they read", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { token } = await buildAccessToken(t.ctx, user);
    // Prepare both statements on the pool's connections first.
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.get("/settings/profile")).status, 200);
      assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200);
    }
    await db.raw("ALTER TABLE users ADD COLUMN prepared_statement_probe text");
    await db.raw("ALTER TABLE sessions ADD COLUMN prepared_statement_probe text");
    await db.raw("ALTER TABLE access_tokens ADD COLUMN prepared_statement_probe text");
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await client.get("/settings/profile")).status, 200, "the session read after the migration");
        assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200, "the token lookup after the migration");
      }
    } finally {
      for (const table of ["users", "sessions", "access_tokens"]) await db.raw(`ALTER TABLE ${table} DROP COLUMN prepared_statement_probe`);
    }
  });
});
