import assert from "node:assert/strict";
import os from "node:os";
import { describe, it, mock } from "node:test";
import argon2 from "argon2";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { db } from "../../src/db/knex";
import { insertUser } from "../../src/db/users";
import { PASSWORD_MAX_LENGTH, argon2Slots, hashPassword, needsRehash, newPasswordSchema, personalPasswordProblem, verifyPassword } from "../../src/auth/passwords";

/** Asserts a PHC-format hash is argon2id version 19 with OWASP's m=19456 KiB, t=2, p=1. */
function assertOwaspArgon2id(hash: string) {
  const m = hash.match(/^\$(argon2(?:id|i|d))\$v=(\d+)\$([^$]+)\$[^$]+\$[^$]+$/);
  assert.ok(m, `not a PHC argon2 hash: ${hash}`);
  assert.equal(m[1], "argon2id");
  assert.equal(m[2], "19");
  const params = Object.fromEntries(m[3]!.split(",").map((kv) => kv.split("=")));
  assert.deepEqual(params, { m: "19456", t: "2", p: "1" });
}

/** Runs `fn` while counting calls to argon2's verify (the library, not our code). */
async function countVerifies<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const spy = mock.method(argon2, "verify");
  try {
    const result = await fn();
    return { result, calls: spy.mock.callCount() };
  } finally {
    spy.mock.restore();
  }
}

describe("password hashing", () => {
  it("hashes with argon2id, m=19456 KiB, t=2, p=1, and a fresh salt each time", async () => {
    const a = await hashPassword("a long and quiet harbour");
    const b = await hashPassword("a long and quiet harbour");
    assertOwaspArgon2id(a);
    assert.notEqual(a, b);
    assert.equal(needsRehash(a), false);
  });

  it("verifies the right password and refuses others", async () => {
    const hash = await hashPassword("a long and quiet harbour");
    assert.equal(await verifyPassword(hash, "a long and quiet harbour"), true);
    assert.equal(await verifyPassword(hash, "a long and quiet harbouR"), false);
    assert.equal(await verifyPassword(hash, ""), false);
    assert.equal(await verifyPassword("not a hash", "a long and quiet harbour"), false);
  });

  it("still runs one argon2 verification when there is no hash, and answers false", async () => {
    for (const hash of [null, undefined, ""]) {
      const { result, calls } = await countVerifies(() => verifyPassword(hash, "a long and quiet harbour"));
      assert.equal(result, false);
      assert.equal(calls, 1, `one dummy verification for ${JSON.stringify(hash)}`);
    }
    const hash = await hashPassword("a long and quiet harbour");
    const real = await countVerifies(() => verifyPassword(hash, "wrong guess here"));
    assert.equal(real.calls, 1, "the same work as for a real account");
  });

  it("refuses over-long input without hashing it", async () => {
    const hash = await hashPassword("a long and quiet harbour");
    const { result, calls } = await countVerifies(() => verifyPassword(hash, "x".repeat(PASSWORD_MAX_LENGTH + 1)));
    assert.equal(result, false);
    assert.equal(calls, 0);
  });

  it("asks for a rehash when the stored hash has other parameters or another variant", async () => {
    const weaker = await argon2.hash("a long and quiet harbour", { type: argon2.argon2id, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    const variant = await argon2.hash("a long and quiet harbour", { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.equal(needsRehash(weaker), true);
    assert.equal(needsRehash(variant), true);
  });

  it("accepts 12 to 128 characters with no composition rules, and refuses common passwords with the reason", () => {
    const schema = newPasswordSchema(12);
    assert.equal(schema.safeParse("kettle-lamp9").success, true);
    assert.equal(schema.safeParse("all lowercase words only").success, true);
    assert.equal(schema.safeParse("y".repeat(64) + "z".repeat(64)).success, true);
    const message = (p: string) => schema.safeParse(p).error?.issues[0]?.message;
    assert.equal(message("kettle-lamp"), "Use at least 12 characters.");
    assert.equal(message("y".repeat(64) + "z".repeat(65)), "Use at most 128 characters.");
    assert.equal(message("dragon12345678"), "This password is on a list of commonly used or breached passwords. Choose another.");
    assert.equal(message("123456789012"), "This password is on a list of commonly used or breached passwords. Choose another.");
  });

  it("spots the username or the email's name inside a password", () => {
    assert.ok(personalPasswordProblem("I am Ana-Lima forever", "ana-lima", "x@example.test"));
    assert.ok(personalPasswordProblem("harbourmaster rules ok", "ana", "harbourmaster@example.test"));
    assert.equal(personalPasswordProblem("a long and quiet harbour", "ana-lima", "ana@example.test"), undefined);
  });
});

describe("argon2 concurrency", () => {
  it("runs at most one argon2 verification per core; the others wait their turn", async () => {
    // Let the module's own dummy hash finish first: it holds a slot while it runs.
    await verifyPassword(null, "a long and quiet harbour");
    assert.equal(argon2Slots.running, 0);
    const limit = argon2Slots.limit;
    assert.equal(limit, os.availableParallelism());

    // argon2.verify is replaced by a call that ends only when the test says so, so what runs at
    // once is counted exactly, with no timing involved.
    const finishers: (() => void)[] = [];
    const verify = mock.method(argon2, "verify", () => new Promise<boolean>((resolve) => finishers.push(() => resolve(true))));
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    try {
      const calls = Array.from({ length: limit + 2 }, () => verifyPassword("$argon2id$stored", "a long and quiet harbour"));
      await settle();
      assert.equal(verify.mock.callCount(), limit, "one verification per core has started");
      assert.equal(argon2Slots.running, limit);
      assert.equal(argon2Slots.queued, 2);

      finishers.shift()!();
      await settle();
      assert.equal(verify.mock.callCount(), limit + 1, "a finished verification lets the next one start");
      assert.equal(argon2Slots.running, limit);
      assert.equal(argon2Slots.queued, 1);

      while (finishers.length > 0) {
        finishers.shift()!();
        await settle();
      }
      assert.deepEqual(await Promise.all(calls), Array(limit + 2).fill(true));
      assert.equal(verify.mock.callCount(), limit + 2);
      assert.equal(argon2Slots.running, 0);
    } finally {
      verify.mock.restore();
    }
  });
});

describe("rehash at sign-in", () => {
  const t = useTestApp();
  const password = "a long and quiet harbour";

  for (const [label, options] of [
    ["weaker argon2id parameters", { type: argon2.argon2id, memoryCost: 4096, timeCost: 3, parallelism: 1 }],
    ["the argon2i variant", { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 }],
  ] as const) {
    it(`upgrades a hash made with ${label} at the next successful sign-in`, async () => {
      const old = await argon2.hash(password, options);
      const user = await insertUser({ username: "ana", email: "ana@example.test", password_hash: old, email_confirmed_at: new Date() });

      const failed = await new TestClient(t.baseUrl).submit("/login", { login: "ana", password: "not the password at all" });
      assert.equal(failed.status, 422);
      assert.equal((await db("users").where({ id: user.id }).first()).password_hash, old, "a failed sign-in changes nothing");

      await loginAs(t.baseUrl, { username: "ana", password });
      const stored: string = (await db("users").where({ id: user.id }).first()).password_hash;
      assert.notEqual(stored, old);
      assertOwaspArgon2id(stored);
      assert.equal(await argon2.verify(stored, password), true);
      await loginAs(t.baseUrl, { username: "ana", password });
    });
  }

  it("leaves a current hash alone", async () => {
    const user = await buildUser();
    await loginAs(t.baseUrl, user);
    assert.equal((await db("users").where({ id: user.id }).first()).password_hash, user.password_hash);
  });

  it("spends one argon2 verification on an unknown login, as on a known one", async () => {
    const user = await buildUser();
    const unknown = await countVerifies(() => new TestClient(t.baseUrl).submit("/login", { login: "nobody-here", password: "not the password at all" }));
    const known = await countVerifies(() => new TestClient(t.baseUrl).submit("/login", { login: user.username, password: "not the password at all" }));
    assert.equal(unknown.result.status, 422);
    assert.equal(known.result.status, 422);
    assert.equal(unknown.calls, 1);
    assert.equal(known.calls, 1);
  });

  it("cannot sign in to an account without a password", async () => {
    const user = await buildUser({ password: null });
    const { result, calls } = await countVerifies(() => new TestClient(t.baseUrl).submit("/login", { login: user.username, password: "any password at all" }));
    assert.equal(result.status, 422);
    assert.equal(calls, 1);
  });
});
