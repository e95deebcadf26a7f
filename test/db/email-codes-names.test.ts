import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { setupTestDatabase, teardownTestDatabase } from "../helpers/db";

describe("the email codes table", () => {
  let url: string;
  before(async () => {
    url = await setupTestDatabase();
  });
  after(() => teardownTestDatabase(url));

  it("is named for what it holds, and nothing in the schema is still called user_tokens", async () => {
    const { rows: relations } = await db.raw<{ rows: { relname: string }[] }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND (relname LIKE 'user_tokens%' OR relname LIKE 'email_codes%') ORDER BY relname",
    );
    assert.deepEqual(relations.map((r) => r.relname), [
      "email_codes",
      "email_codes_id_seq",
      "email_codes_pkey",
      "email_codes_token_hash_unique",
      "email_codes_user_id_idx",
      "email_codes_user_id_purpose_unique",
    ]);
    const { rows: constraints } = await db.raw<{ rows: { conname: string }[] }>(
      "SELECT conname FROM pg_constraint WHERE conrelid = 'email_codes'::regclass ORDER BY conname",
    );
    assert.deepEqual(constraints.map((c) => c.conname), [
      "email_codes_pkey",
      "email_codes_purpose",
      "email_codes_token_hash_unique",
      "email_codes_user_id_foreign",
    ]);
  });
});
