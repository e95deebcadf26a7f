import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../src/auth/access-token-format";
import { adminQuery } from "./helpers/db";
import { freePort } from "./helpers/free-port";

const ROOT = path.resolve(__dirname, "..");

interface Server {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<number | null>;
}

function untilOutput(server: Server, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (server.output.join("").includes(text)) {
        server.child.stdout!.off("data", check);
        resolve();
      }
    };
    server.child.stdout!.on("data", check);
    check();
    void server.exited.then(() => (server.output.join("").includes(text) ? resolve() : reject(new Error(`the server exited before "${text}":\n${server.output.join("")}`))));
  });
}

async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--require", "tsx/cjs", "src/server.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, NODE_ENV: "development", TSX_DISABLE_CACHE: "1", PORT: String(port), DATABASE_URL: databaseUrl, SESSION_SECRET: crypto.randomBytes(32).toString("base64url"), LOG_LEVEL: "info", ...env },
  });
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const server = { child, port, output, exited: new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))) };
  await untilOutput(server, "Gatehouse is listening");
  return server;
}

/** Whether a new TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/**
 * A request held in flight on purpose: the test takes an exclusive lock on access_tokens, so an API
 * request's token lookup waits in the database (the app itself is unchanged) until the test lets go.
 */
async function holdTokenLookups(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE access_tokens IN ACCESS EXCLUSIVE MODE");
  return {
    /** Resolves once a query of the app waits for the lock: the request is in flight. */
    async untilWaiting() {
      for (;;) {
        const { rows } = await client.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'access_tokens' AND NOT l.granted",
        );
        if (rows[0].waiting > 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

const tokenRequest = (port: number) =>
  fetch(`http://127.0.0.1:${port}/api/v1/user`, { headers: { Authorization: `Bearer ${generateAccessToken(ACCESS_TOKEN_PREFIXES.personal).token}` } });

describe("graceful shutdown on SIGTERM", () => {
  const databases: string[] = [];
  const children: ChildProcess[] = [];
  let databaseUrl = "";

  async function newDatabase() {
    const name = `gatehouse_test_stop_${crypto.randomBytes(4).toString("hex")}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${process.env.GATEHOUSE_TEST_TEMPLATE}`);
    databases.push(name);
    const url = new URL(process.env.GATEHOUSE_TEST_ADMIN_URL ?? "postgres://unset");
    url.pathname = `/${name}`;
    return url.toString();
  }

  before(async () => {
    databaseUrl = await newDatabase();
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const name of databases) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("refuses new connections, finishes the request in flight, then exits 0", async () => {
    const server = await startServer(databaseUrl);
    children.push(server.child);
    const lock = await holdTokenLookups(databaseUrl);
    let released = false;
    try {
      const inFlight = tokenRequest(server.port);
      await lock.untilWaiting();
      server.child.kill("SIGTERM");
      await untilOutput(server, "shutting down");
      assert.equal(await accepts(server.port), false, "a new connection is refused once shutdown began");
      await lock.release();
      released = true;
      const response = await inFlight;
      // The unknown token's answer: the request ran to its end, through the database.
      assert.equal(response.status, 401);
    } finally {
      if (!released) await lock.release();
    }
    assert.equal(await server.exited, 0, server.output.join(""));
    const output = server.output.join("");
    assert.match(output, /"msg":"stopped"/);
    assert.doesNotMatch(output, /were cut/);
  });

  it("cuts a request still running when the grace period ends, and still exits 0", async () => {
    const server = await startServer(databaseUrl, { SHUTDOWN_GRACE_SECONDS: "1" });
    children.push(server.child);
    const lock = await holdTokenLookups(databaseUrl);
    try {
      const inFlight = tokenRequest(server.port).then(
        (r) => r.status,
        () => "cut",
      );
      await lock.untilWaiting();
      server.child.kill("SIGTERM");
      assert.equal(await inFlight, "cut");
      assert.equal(await server.exited, 0, server.output.join(""));
    } finally {
      await lock.release();
    }
    const output = server.output.join("");
    assert.match(output, /"connections":1,"msg":"requests still running at the end of the grace period were cut"/);
    assert.match(output, /database connections still busy after the grace period are dropped/);
    assert.match(output, /"msg":"stopped"/);
  });
  it("lets the mail worker finish the send in flight, which is then marked sent, before it exits", async () => {
    // An SMTP server that takes the mail's data and answers only when the test says so.
    let release: () => void = () => {};
    let receiving: () => void = () => {};
    const sendInFlight = new Promise<void>((resolve) => (receiving = resolve));
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.once("end", () => {
          release = () => callback();
          receiving();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
    try {
      const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
      const url = await newDatabase();
      const server = await startServer(url, { SMTP_URL: smtpUrl });
      children.push(server.child);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: number }>("INSERT INTO outbound_mails (\"to\", subject, text) VALUES ('someone@example.test', 'Hello', 'Hi') RETURNING id");
        await sendInFlight;
        server.child.kill("SIGTERM");
        await untilOutput(server, "shutting down");
        release();
        assert.equal(await server.exited, 0, server.output.join(""));
        const sent = await client.query<{ sent_at: Date | null }>("SELECT sent_at FROM outbound_mails WHERE id = $1", [rows[0].id]);
        assert.notEqual(sent.rows[0].sent_at, null, "the mail accepted during shutdown is marked sent, so it is not sent again");
        assert.doesNotMatch(server.output.join(""), /mail worker was still sending/);
      } finally {
        await client.end();
      }
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
