import crypto from "node:crypto";
import { hashPassword } from "../../src/auth/passwords";
import { insertUser, type UserRow } from "../../src/db/users";
import { TestClient } from "./client";

/** A password every factory user has unless told otherwise. */
export const DEFAULT_PASSWORD = "correct horse battery staple";

let counter = 0;

// argon2 is slow on purpose; a test suite that builds hundreds of users hashes each password once.
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  return hashes.get(password)!;
}

/** Inserts a user straight into the database; confirmed unless `confirmed: false`. */
export async function buildUser(opts: { username?: string; email?: string; password?: string | null; confirmed?: boolean; displayName?: string } = {}): Promise<UserRow & { password: string }> {
  counter += 1;
  const suffix = `${counter}${crypto.randomBytes(2).toString("hex")}`;
  const username = opts.username ?? `user${suffix}`;
  const password = opts.password === undefined ? DEFAULT_PASSWORD : opts.password;
  const user = await insertUser({
    username,
    email: opts.email ?? `${username.toLowerCase()}@example.test`,
    password_hash: password === null ? null : await hashOnce(password),
    display_name: opts.displayName ?? "",
    email_confirmed_at: opts.confirmed === false ? null : new Date(),
  });
  return { ...user, password: password ?? "" };
}

/** Signs `user` in through the real login form; returns the client holding the session. */
export async function loginAs(baseUrl: string, user: { username: string; password: string }, opts: { remember?: boolean; client?: TestClient } = {}): Promise<TestClient> {
  const client = opts.client ?? new TestClient(baseUrl);
  const res = await client.submit("/login", { login: user.username, password: user.password, ...(opts.remember ? { remember: "on" } : {}) });
  if (res.status !== 302) throw new Error(`login as ${user.username} failed with ${res.status}`);
  return client;
}
