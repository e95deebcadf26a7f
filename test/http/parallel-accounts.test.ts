import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { endSessionById } from "../../src/db/sessions";
import { insertIdentity } from "../../src/db/identities";
import { SESSION_COOKIE } from "../../src/http/session";
import { useTestApp } from "../helpers/app";
import { buildUser, loginAs } from "../helpers/factories";
import { statementsDuring } from "../helpers/statements";
import { buildAccessToken } from "../helpers/tokens";

interface RawRequest {
  path: string;
  headers: Record<string, string>;
}

/**
 * Opens a connection per request, then writes every request in the same tick, so the app reads
 * them all in one turn of its event loop: the case in which their session, token and picture reads
 * share statements (src/db/coalesced-lookup.ts). Returns each answer's status line and body.
 */
async function sendTogether(port: number, requests: RawRequest[]): Promise<{ status: number; body: string }[]> {
  const sockets = await Promise.all(
    requests.map(() => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
      socket.once("error", reject);
    })),
  );
  // Let the app accept every connection before anything is written on them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const answers = sockets.map((socket) => new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.once("error", reject);
  }));
  requests.forEach(({ path, headers }, i) => {
    const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    sockets[i]!.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
  return (await Promise.all(answers)).map((raw) => ({ status: Number(raw.split(" ", 2)[1]), body: raw.slice(raw.indexOf("\r\n\r\n") + 4) }));
}

/**
 * Many accounts asking at once each get their own account: the reads that requests arriving together
 * share are matched back to each request by its own session id or token, never by position.
 */
describe("accounts asking at the same moment", () => {
  const t = useTestApp();
  const port = () => Number(new URL(t.baseUrl).port);

  async function signedInAccounts(count: number) {
    const accounts = [];
    for (let i = 0; i < count; i++) {
      const user = await buildUser();
      // Every other account has a linked picture, so the shared picture read has rows for some keys only.
      const pictured = i % 2 === 0;
      if (pictured) await insertIdentity({ user_id: user.id, provider: "github", provider_user_id: String(1000 + i), provider_username: `gh-${user.username}`, avatar_url: `https://avatars.example.test/${i}` });
      const client = await loginAs(t.baseUrl, user);
      const sid = decodeURIComponent(client.cookie(SESSION_COOKIE)!).slice(2).split(".")[0]!;
      const { token } = await buildAccessToken(t.ctx, user);
      accounts.push({ user, pictured, cookie: `${SESSION_COOKIE}=${client.cookie(SESSION_COOKIE)}`, sid, token });
    }
    return accounts;
  }

  it("see their own pages and API answers, sharing the reads", async () => {
    const accounts = await signedInAccounts(12);
    const pages = accounts.map((a) => ({ path: "/settings/profile", headers: { cookie: a.cookie } }));
    const api = accounts.map((a) => ({ path: "/api/v1/user", headers: { authorization: `Bearer ${a.token}` } }));
    let answers: { status: number; body: string }[] = [];
    const sent = await statementsDuring(async () => (answers = await sendTogether(port(), [...pages, ...api])));

    accounts.forEach((account, i) => {
      const page = answers[i]!;
      assert.equal(page.status, 200, `${account.user.username}'s page`);
      assert.ok(page.body.includes(account.user.email), `${account.user.username}'s page shows their address`);
      assert.equal(page.body.includes(`gh-${account.user.username}`), account.pictured, `${account.user.username}'s page offers their own picture only`);
      for (const other of accounts) if (other !== account) assert.ok(!page.body.includes(other.user.email), `${account.user.username}'s page shows ${other.user.username}'s address`);
      const answer = answers[accounts.length + i]!;
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).data.username, account.user.username);
    });
    const count = (pattern: RegExp) => sent.filter((sql) => pattern.test(sql)).length;
    assert.ok(count(/from sessions as s left join users/i) < accounts.length, "the session reads were shared");
    assert.ok(count(/from access_tokens as a/i) < accounts.length, "the token reads were shared");
  });

  it("refuse the one whose session ended before they arrived, and only that one", async () => {
    const accounts = await signedInAccounts(6);
    await endSessionById(accounts[2]!.sid);
    const answers = await sendTogether(port(), accounts.map((a) => ({ path: "/settings/profile", headers: { cookie: a.cookie } })));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 302, 200, 200, 200]);
  });
});
