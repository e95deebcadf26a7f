import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { EmbeddedPostgresUnavailable, runAsUser } from "../../src/db/embedded-placement";

/**
 * The user the embedded PostgreSQL runs as when Gatehouse is root. Creating a real user here would
 * change the machine, so `useradd` is a stand-in that fails like a locked-down system's, found
 * first on PATH (next to the real `id`) for the length of one synchronous call.
 */
describe("the embedded PostgreSQL's user, as root", () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-fake-bin-"));
  const realId = execFileSync("/bin/sh", ["-c", "command -v id"]).toString().trim();

  before(() => {
    fs.symlinkSync(realId, path.join(bin, "id"));
  });
  after(() => fs.rmSync(bin, { recursive: true, force: true }));

  function withPath<T>(dir: string, fn: () => T): T {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      return fn();
    } finally {
      process.env.PATH = saved;
    }
  }

  it("uses an existing user as it is", () => {
    const name = os.userInfo().username;
    assert.deepEqual(runAsUser(name), { uid: os.userInfo().uid, gid: os.userInfo().gid, name });
  });

  it("stops with a sentence naming the user, useradd's reason and the ways out when no user can be created", () => {
    fs.writeFileSync(path.join(bin, "useradd"), "#!/bin/sh\necho 'useradd: cannot lock /etc/passwd; try again later.' >&2\nexit 1\n", { mode: 0o755 });
    try {
      withPath(bin, () => runAsUser("gatehouse-no-such-user"));
      assert.fail("expected EmbeddedPostgresUnavailable");
    } catch (err) {
      assert.ok(err instanceof EmbeddedPostgresUnavailable, String(err));
      assert.equal(
        err.message,
        'PostgreSQL cannot run as root, and there is no "gatehouse-no-such-user" user to run the embedded one as, nor could one be created (useradd: cannot lock /etc/passwd; try again later.). Create a "gatehouse-no-such-user" user, run Gatehouse as a normal user, or set DATABASE_URL to a PostgreSQL server.',
      );
    }
  });

  it("says useradd is missing when the system has none", () => {
    fs.rmSync(path.join(bin, "useradd"), { force: true });
    assert.throws(() => withPath(bin, () => runAsUser("gatehouse-no-such-user")), (err: Error) => err instanceof EmbeddedPostgresUnavailable && /\(useradd is not available\)/.test(err.message));
  });
});
