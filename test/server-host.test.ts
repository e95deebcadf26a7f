import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { adminQuery } from "./helpers/db";
import { freePort } from "./helpers/free-port";
import { stopProcess, waitForOutput } from "./helpers/server-process";

const ROOT = path.resolve(__dirname, "..");

/** This machine's first address that is not loopback: where a neighbour on the network would connect. */
function networkAddress(): string | undefined {
  return Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/**
 * `npm start` in development, as a developer runs it on a laptop: the app, and with it the outbox
 * at /dev/mail that shows every mailed link, answers on loopback only; someone else on the same
 * network gets no connection.
 */
describe("the development server's address", () => {
  const database = `gatehouse_test_host_${crypto.randomBytes(4).toString("hex")}`;
  const databaseUrl = new URL(process.env.GATEHOUSE_TEST_ADMIN_URL ?? "postgres://unset");
  databaseUrl.pathname = `/${database}`;
  let child: ChildProcess | undefined;
  let port = 0;
  const output: string[] = [];

  before(async () => {
    await adminQuery(`CREATE DATABASE ${database}`);
    port = await freePort();
    child = spawn(process.execPath, ["--require", "tsx/cjs", "src/server.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "development",
        TSX_DISABLE_CACHE: "1",
        PORT: String(port),
        DATABASE_URL: databaseUrl.toString(),
        SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
        LOG_LEVEL: "info",
      },
    });
    await waitForOutput(child, "Gatehouse is listening", output);
  });

  after(async () => {
    await stopProcess(child);
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it("listens on 127.0.0.1 only: the outbox answers there and nowhere else", async (t) => {
    assert.match(output.join(""), /"host":"127\.0\.0\.1"/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/dev/mail`)).status, 200);
    const neighbour = networkAddress();
    if (!neighbour) return t.skip("this machine has no network address besides loopback");
    assert.equal(await accepts(neighbour, port), false, `connected through ${neighbour}`);
  });
});
