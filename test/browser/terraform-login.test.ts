import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import selfsigned from "selfsigned";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { apiRequest } from "../helpers/tokens";

/**
 * The real `terraform login` against Gatehouse behind HTTPS: a TLS proxy with a certificate made
 * here (trusted by terraform through SSL_CERT_FILE) forwards to the test app; the browser step is
 * done in headless Chromium, as a person would; then the token terraform saved calls the API.
 * Terraform is not a dependency of the project: without it on PATH the test is skipped.
 */

const TERRAFORM = spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;

/** A TLS-terminating reverse proxy on a free port to `target()`, telling the app the original scheme and client. */
function startTlsProxy(target: () => URL, key: string, cert: string): Promise<https.Server> {
  const server = https.createServer({ key, cert }, (req, res) => {
    const upstream = http.request(
      { host: target().hostname, port: target().port, method: req.method, path: req.url, headers: { ...req.headers, "x-forwarded-proto": "https", "x-forwarded-for": req.socket.remoteAddress ?? "" } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

describe("terraform login against Gatehouse behind HTTPS", { skip: TERRAFORM ? false : "terraform is not installed (it is not a project dependency)" }, () => {
  // The proxy starts first (this hook runs before useTestApp's), so the app can be told its https
  // URL: useTestApp reads `env` when its own hook runs.
  const env: Record<string, string> = { TRUST_PROXY: "loopback" };
  let proxy: https.Server;
  let dir: string;
  let host: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-terraform-"));
    const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
      keySize: 2048,
      algorithm: "sha256",
      extensions: [
        { name: "basicConstraints", cA: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
      ],
    });
    fs.writeFileSync(path.join(dir, "cert.pem"), pems.cert);
    proxy = await startTlsProxy(() => new URL(t.baseUrl), pems.private, pems.cert);
    host = `localhost:${(proxy.address() as AddressInfo).port}`;
    env.BASE_URL = `https://${host}`;
  });
  const t = useTestApp(env);
  const b = useBrowser(t);

  after(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("logs the real CLI in through the browser and saves a working token", { timeout: 120_000 }, async () => {
    const user = await buildUser();
    const home = path.join(dir, "home");
    fs.mkdirSync(path.join(home, ".terraform.d"), { recursive: true });
    // Stand-ins for the desktop's browser openers: they note the URL terraform wants opened.
    const bin = path.join(dir, "bin");
    const opened = path.join(dir, "opened-url");
    fs.mkdirSync(bin);
    for (const name of ["xdg-open", "x-www-browser", "www-browser", "sensible-browser"]) {
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
    }

    // terraform ignores SIGTERM while it waits for the browser, hence timeout's -k.
    const cli = spawn("timeout", ["-k", "5", "90", "terraform", "login", host], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: home,
        SSL_CERT_FILE: path.join(dir, "cert.pem"),
        CHECKPOINT_DISABLE: "1",
        TF_IN_AUTOMATION: "1",
        DISPLAY: "",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Enter a value:/.test(output) && !cli.stdin.writableEnded) cli.stdin.end("yes\n");
    };
    cli.stdout.on("data", collect);
    cli.stderr.on("data", collect);
    const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));

    const url = await waitFor(() => {
      if (fs.existsSync(opened)) return fs.readFileSync(opened, "utf8").trim().split("\n")[0];
      return output.match(/https:\/\/localhost:\d+\/oauth\/authorization\?\S+/)?.[0];
    }, 30_000, () => `terraform never asked for the browser:\n${output}`);
    assert.match(url, new RegExp(`^https://${host}/oauth/authorization\\?`));

    // The page goes where terraform sends it (the proxy's https URL, whose certificate it made).
    const page = await b.newPage({ ignoreHTTPSErrors: true, baseURL: undefined });
    try {
      await page.goto(url);
      await page.getByLabel("Username or email").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "Authorize Terraform CLI?" }).waitFor();
      await b.shoot(page, "terraform-cli-login-consent");
      await page.getByRole("button", { name: "Authorize" }).click();
      await page.waitForURL(/^http:\/\/localhost:100\d\d\//);
    } catch (err) {
      throw new Error(`browser step failed: ${(err as Error).message}\nterraform so far (exit ${cli.exitCode}):\n${output}`);
    }
    const code = await exited;
    assert.equal(code, 0, `terraform login failed:\n${output}`);
    const credentials = JSON.parse(fs.readFileSync(path.join(home, ".terraform.d", "credentials.tfrc.json"), "utf8"));
    const token = credentials.credentials[host].token as string;
    assert.match(token, /^gth_[0-9A-Za-z]{49}$/);

    const me = await apiRequest(t.baseUrl, token, "GET", "/api/v1/user");
    assert.equal(me.status, 200);
    assert.equal((await me.json()).data.username, user.username);
    const details = await apiRequest(t.baseUrl, token, "GET", "/api/v2/account/details");
    assert.equal((await details.json()).data.attributes.username, user.username);
    const tokens = await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/tokens")).json();
    assert.equal(tokens.data[0].created_via, "cli");
    assert.equal(tokens.data[0].description, "Terraform CLI on 127.0.0.1");
  });
});

/** Polls `probe` until it returns a value, failing with `explain()` after `ms`. */
async function waitFor<T>(probe: () => T | undefined, ms: number, explain: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(explain());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
