import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { db } from "../src/db/knex";
import { useTestApp } from "./helpers/app";
import { buildUser, loginAs } from "./helpers/factories";
import { auditEntries } from "./helpers/admin";
import { applyAdminUsernames } from "../src/services/site-admins";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");

/** Runs `npm run admin -- <args>` against the test database, as an operator would on the server. */
async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const url = (db.client.config.connection as { connectionString: string }).connectionString;
  try {
    const { stdout, stderr } = await run("npm", ["run", "--silent", "admin", "--", ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, NODE_ENV: "development", LOG_LEVEL: "silent" } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run admin", () => {
  const t = useTestApp();

  it("grants, lists and revokes site admin on the server, never the last one, and logs each change", async () => {
    const ada = await buildUser({ username: "ada" });
    const grace = await buildUser({ username: "grace" });
    assert.match((await admin("list")).stdout, /No site admins yet/);
    const granted = await admin("grant", "ada");
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /ada is a site admin/);
    assert.equal((await (await loginAs(t.baseUrl, ada)).get("/admin/users")).status, 200);
    assert.equal((await admin("grant", "grace")).code, 0);
    assert.deepEqual((await admin("list")).stdout.trim().split("\n"), ["ada", "grace"]);
    assert.equal((await admin("revoke", "grace")).code, 0);
    const last = await admin("revoke", "ada");
    assert.equal(last.code, 1);
    assert.match(last.stderr, /last site admin/);
    const missing = await admin("grant", "nobody");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /There is no user named nobody/);
    const usage = await admin("promote", "ada");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: npm run admin/);
    assert.equal((await db("users").where({ id: grace.id }).first()).is_site_admin, false);
    assert.deepEqual((await auditEntries()).map((e) => [e.actor_username, e.action, e.target_label]), [
      ["npm run admin", "site_admin.granted", "ada"],
      ["npm run admin", "site_admin.granted", "grace"],
      ["npm run admin", "site_admin.revoked", "grace"],
    ]);
  });

  it("ADMIN_USERNAMES makes the named users site admins at start, and says which do not exist yet", async () => {
    await buildUser({ username: "ada" });
    assert.deepEqual(await applyAdminUsernames(["ADA", "ghost"]), { granted: ["ada"], missing: ["ghost"] });
    assert.deepEqual(await applyAdminUsernames(["ada"]), { granted: [], missing: [] }, "already one: nothing to do");
    assert.deepEqual((await auditEntries()).map((e) => [e.actor_username, e.action]), [["ADMIN_USERNAMES", "site_admin.granted"]]);
  });
});
