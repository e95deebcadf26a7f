import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import express, { type Request, type Response, type Router } from "express";
import type { BackingOnlyProviderName, ProviderConfig, ProviderName } from "../../config";

/**
 * A local stand-in for an OAuth 2.0 provider, for tests and for `npm start` with
 * DEV_PROVIDER_EMULATORS=1. It speaks the authorization-code flow the way the real providers
 * document it (authorize page, token endpoint with client secret and PKCE S256, bearer-token user
 * APIs); each provider module adds its own paths and JSON shapes. State lives in this process only:
 * it is a development tool, never part of a deployment.
 */

/** The person "signed in" at the emulated provider when the consent page is approved. */
export interface EmulatedPerson {
  /** Account name at the provider (GitHub login, GitLab username, Atlassian nickname; Google: none). */
  login: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
}

/**
 * A group at the emulated provider (a GitHub organization, a GitLab group by its full path, a
 * Bitbucket workspace by its slug): its numeric id and its members by login, with their role
 * ("admin": a GitHub org admin, a GitLab group Owner, a Bitbucket workspace administrator).
 */
export interface EmulatedOrg {
  id: number;
  members: Record<string, "admin" | "member">;
}

/** Every provider the emulators play: the sign-in providers, and Bitbucket (backing only). */
export type EmulatedProviderName = ProviderName | BackingOnlyProviderName;

/**
 * The provider's stable user id for an account name (derived, so it survives restarts). Bitbucket
 * people are Atlassian accounts, so the Bitbucket emulator derives Atlassian's id for a name.
 */
export function stableId(provider: EmulatedProviderName, login: string): string {
  return crypto.createHash("sha256").update(`${provider}:${login.toLowerCase()}`).digest("hex");
}

/** What a provider module supplies: its paths, its token answer format and its user API. */
export interface ProviderFlavour {
  provider: EmulatedProviderName;
  label: string;
  authorizePath: string;
  tokenPath: string;
  /** GitHub answers the token request form-encoded unless asked for JSON; the others answer JSON. */
  formEncodedTokenByDefault?: boolean;
  /** GitHub reports a bad code with HTTP 200 and an error field; the others with 400. */
  tokenErrorStatus?: number;
  /** Tokens that expire after this many seconds and come with a refresh token that each refresh replaces (GitLab, Bitbucket). */
  expiringTokens?: number;
  /** The token answer's name for the granted scopes: "scope" (RFC 6749), Bitbucket's "scopes". */
  scopesField?: "scope" | "scopes";
  /** The scopes granted when the authorize request names none (Bitbucket: the consumer's permissions). */
  defaultScope?: string;
  /** Mounts the user API (JSON documents for a token's person). */
  userApi(router: Router, api: UserApiHelpers): void;
  /** The provider's config entry (client id/secret and URL overrides) pointing at `url`. */
  config(url: string, clientId: string, clientSecret: string): ProviderConfig;
}

/** Given to provider modules for their user API. */
export interface UserApiHelpers {
  /** The person and stable id behind the request's bearer token, or undefined (answered 401). */
  personFor(req: Request, res: Response): { person: EmulatedPerson; id: string; scopes: string[] } | undefined;
  /** The provider's stable user id for an account name. */
  idFor(login: string): string;
  /** The emulated organizations by login (tests fill them in). */
  orgs: Map<string, EmulatedOrg>;
  /** How many entries a paginated list answers per page at most (tests lower it to see Link pagination). */
  pageSize(): number;
  /**
   * The avatar URL to answer: the emulator's own picture at `path` (the real provider's path shape
   * on the emulator's origin, where a browser can load it), unless a test set `avatarOverride`.
   */
  avatarUrl(path: string): string | null;
  /** Answers a request for the emulated picture (a small PNG). */
  sendAvatar(req: Request, res: Response): void;
}

interface PendingCode {
  person: EmulatedPerson;
  clientId: string;
  redirectUri: string;
  challenge?: string;
  scope: string;
  expiresAt: number;
}

/** A running emulator. */
export class ProviderEmulator {
  readonly clientId: string;
  readonly clientSecret: string;
  url = "";
  /** Prefilled on the consent page, and what `decide()` approves unless told otherwise. */
  person: EmulatedPerson;
  /** When true the user API answers 503, as a provider outage would. */
  failUserApi = false;
  /** When set, the user API answers this avatar URL (null: no picture) instead of the emulator's own. */
  avatarOverride: string | null | undefined = undefined;
  /** The query of the last authorize request (tests check state and PKCE parameters). */
  lastAuthorize: Record<string, string> = {};
  /** Organizations at the emulated provider, by login, with their members (GitHub's org APIs read them). */
  orgs = new Map<string, EmulatedOrg>();
  /** The most entries one page of a paginated list holds (GitHub's per_page caps at 100). */
  pageSize = 100;
  /** How many refresh grants the token endpoint answered with a new token (tests check a refresh happened). */
  refreshCount = 0;
  private codes = new Map<string, PendingCode>();
  private tokens = new Map<string, { person: EmulatedPerson; scope: string }>();
  private refreshTokens = new Map<string, { person: EmulatedPerson; scope: string }>();
  private server: http.Server;

  constructor(readonly flavour: ProviderFlavour, person?: EmulatedPerson) {
    this.clientId = `gatehouse-dev-${flavour.provider}`;
    this.clientSecret = `dev-secret-${flavour.provider}`;
    this.person = person ?? { login: "octo-dev", name: "Dev Person", email: `dev@${flavour.provider}.example`, emailVerified: true };
    this.server = http.createServer(this.buildApp());
  }

  /** Starts listening on `port` (0: any free port) on the loopback interface. */
  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Revokes every token issued so far, refresh tokens too (the provider then answers 401, and refreshes fail). */
  revokeTokens(): void {
    this.tokens.clear();
    this.refreshTokens.clear();
  }

  /** Lets every access token expire (401) while refresh tokens keep working, as two hours later at GitLab. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Clears what tests set up: organizations, page size, failures, the refresh count. */
  resetOrgs(): void {
    this.orgs.clear();
    this.pageSize = 100;
    this.failUserApi = false;
    this.refreshCount = 0;
  }

  /** The Gatehouse provider config pointing at this emulator. */
  providerConfig(): ProviderConfig {
    return this.flavour.config(this.url, this.clientId, this.clientSecret);
  }

  /** The provider's stable user id for an account name (derived, so it survives restarts). */
  idFor(login: string): string {
    return stableId(this.flavour.provider, login);
  }

  /**
   * Plays the person at the consent page: answers the authorize URL Gatehouse redirected to with
   * approve or deny, and returns the callback URL the provider would send the browser to.
   */
  async decide(authorizeUrl: string, decision: "approve" | "deny", person: Partial<EmulatedPerson> = {}): Promise<string> {
    const url = new URL(authorizeUrl);
    const page = await fetch(url);
    if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
    const p = { ...this.person, ...person };
    const form = new URLSearchParams({ ...Object.fromEntries(url.searchParams), login: p.login, name: p.name, email: p.email ?? "", decision });
    if (p.emailVerified) form.set("email_verified", "on");
    const res = await fetch(`${this.url}/__emulator/consent`, { method: "POST", body: form, redirect: "manual" });
    const location = res.headers.get("location");
    if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status}`);
    return location;
  }

  private buildApp() {
    const app = express();
    const f = this.flavour;
    app.use(express.urlencoded({ extended: false }));

    app.get(f.authorizePath, (req, res) => {
      const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)]));
      this.lastAuthorize = q;
      if (q.client_id !== this.clientId) return res.status(400).type("html").send(page(f.label, "<p>Unknown client_id.</p>"));
      if (q.response_type !== "code" || !q.redirect_uri) return res.status(400).type("html").send(page(f.label, "<p>Bad authorization request.</p>"));
      res.type("html").send(consentPage(f.label, q, this.person));
    });

    app.post("/__emulator/consent", (req, res) => {
      const b = req.body as Record<string, string>;
      if (b.client_id !== this.clientId || !b.redirect_uri) return res.status(400).send("bad request");
      const back = new URL(b.redirect_uri);
      if (b.state) back.searchParams.set("state", b.state);
      if (b.decision !== "approve") {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "The user has denied your application access.");
        return res.redirect(302, back.toString());
      }
      const code = crypto.randomBytes(16).toString("hex");
      this.codes.set(code, {
        person: { login: b.login?.trim() || this.person.login, name: b.name?.trim() ?? "", email: b.email?.trim() || null, emailVerified: b.email_verified === "on" },
        clientId: b.client_id,
        redirectUri: b.redirect_uri,
        challenge: b.code_challenge || undefined,
        // The token gets exactly the scopes the authorize request asked for.
        scope: b.scope || f.defaultScope || "",
        expiresAt: Date.now() + 10 * 60_000,
      });
      back.searchParams.set("code", code);
      res.redirect(302, back.toString());
    });

    app.post(f.tokenPath, (req, res) => {
      const b = req.body as Record<string, string>;
      const [basicId, basicSecret] = basicCredentials(req);
      const clientId = b.client_id ?? basicId;
      const clientSecret = b.client_secret ?? basicSecret;
      const fail = (error: string, status = f.tokenErrorStatus ?? 400) => tokenAnswer(req, res, f, { error, error_description: error.replace(/_/g, " ") }, status);
      if (clientId !== this.clientId || clientSecret !== this.clientSecret) return fail("invalid_client", 401);
      const issue = (held: { person: EmulatedPerson; scope: string }) => {
        const token = crypto.randomBytes(20).toString("hex");
        this.tokens.set(token, held);
        const answer: Record<string, string | number> = { access_token: token, token_type: "bearer", [f.scopesField ?? "scope"]: held.scope, expires_in: f.expiringTokens ?? 3600 };
        if (f.expiringTokens) {
          const refresh = crypto.randomBytes(20).toString("hex");
          this.refreshTokens.set(refresh, held);
          answer.refresh_token = refresh;
        }
        tokenAnswer(req, res, f, answer, 200);
      };
      if (b.grant_type === "refresh_token" && f.expiringTokens) {
        const held = b.refresh_token ? this.refreshTokens.get(b.refresh_token) : undefined;
        if (!held) return fail("invalid_grant");
        // The spent refresh token stops working, as GitLab's and Bitbucket's do once replaced.
        this.refreshTokens.delete(b.refresh_token!);
        this.refreshCount++;
        return issue(held);
      }
      if (b.grant_type !== "authorization_code") return fail("unsupported_grant_type");
      const pending = b.code ? this.codes.get(b.code) : undefined;
      if (b.code) this.codes.delete(b.code);
      if (!pending || pending.expiresAt < Date.now() || pending.clientId !== clientId) return fail(f.provider === "github" ? "bad_verification_code" : "invalid_grant");
      if (pending.redirectUri !== b.redirect_uri) return fail(f.provider === "github" ? "redirect_uri_mismatch" : "invalid_grant");
      if (pending.challenge) {
        const verifier = b.code_verifier ?? "";
        const expected = crypto.createHash("sha256").update(verifier).digest("base64url");
        if (expected !== pending.challenge) return fail("invalid_grant");
      }
      issue({ person: pending.person, scope: pending.scope });
    });

    const api = express.Router();
    api.use((_req, res, next) => {
      if (this.failUserApi) return res.status(503).json({ message: "Service unavailable" });
      next();
    });
    f.userApi(api, {
      personFor: (req, res) => {
        const token = /^Bearer (.+)$/i.exec(req.get("authorization") ?? "")?.[1];
        const held = token ? this.tokens.get(token) : undefined;
        if (!held) {
          res.status(401).json({ message: "Bad credentials" });
          return undefined;
        }
        return { person: held.person, id: this.idFor(held.person.login), scopes: held.scope.split(/[ ,]+/).filter(Boolean) };
      },
      idFor: (login) => this.idFor(login),
      orgs: this.orgs,
      pageSize: () => this.pageSize,
      avatarUrl: (path) => (this.avatarOverride === undefined ? `${this.url}${path}` : this.avatarOverride),
      sendAvatar: (_req, res) => {
        res.type("image/png").set("cache-control", "public, max-age=3600").send(AVATAR_PNG);
      },
    });
    app.use(api);
    return app;
  }
}

/** A 16 by 16 PNG in the style of GitHub's identicons (a symmetric pattern of 4-pixel blocks): what every emulated person's picture shows. */
const AVATAR_PNG = patternPng(["0110", "1001", "1111", "0110"], [0x2d, 0x9c, 0x8f], [0xf0, 0xf0, 0xf0]);

function patternPng(blocks: string[], on: number[], off: number[]): Buffer {
  const size = blocks.length * 4;
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Array.from({ length: size }, (_, y) =>
    Buffer.from([0, ...Array.from({ length: size }, (_, x) => (blocks[y >> 2]![x >> 2] === "1" ? on : off)).flat()]),
  );
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

function basicCredentials(req: Request): [string | undefined, string | undefined] {
  const m = /^Basic (.+)$/i.exec(req.get("authorization") ?? "");
  if (!m) return [undefined, undefined];
  const [id, secret] = Buffer.from(m[1]!, "base64").toString("utf8").split(":");
  return [id ? decodeURIComponent(id) : undefined, secret ? decodeURIComponent(secret) : undefined];
}

function tokenAnswer(req: Request, res: Response, f: ProviderFlavour, body: Record<string, string | number>, status: number) {
  if (f.formEncodedTokenByDefault && !(req.get("accept") ?? "").includes("json")) {
    return res.status(status).type("application/x-www-form-urlencoded").send(new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString());
  }
  res.status(status).json(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(label: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(label)} (emulator)</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:420px;margin:40px auto;padding:0 16px;color:#1b1f24;background:#f6f7f9}main{background:#fff;border:1px solid #d9dee5;border-radius:12px;padding:24px}label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=email]{width:100%;padding:8px;box-sizing:border-box}.inline{display:flex;gap:8px;align-items:center;font-weight:400}.actions{display:flex;gap:8px;margin-top:20px}button{padding:8px 16px;font:inherit;font-weight:600;border-radius:6px;border:1px solid #d9dee5;cursor:pointer}button[value=approve]{background:#1f883d;color:#fff;border-color:#1f883d}.note{color:#5b6470;font-size:13px}</style></head>
<body><main>${body}</main></body></html>`;
}

function consentPage(label: string, q: Record<string, string>, person: EmulatedPerson): string {
  const hidden = ["client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]
    .filter((k) => q[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q[k]!)}">`)
    .join("");
  return page(
    label,
    `<h1>${escapeHtml(label)} emulator</h1>
<p>An application wants to know who you are (scopes: <code>${escapeHtml(q.scope ?? "")}</code>). Choose the person you are at this emulated ${escapeHtml(label)}.</p>
<form method="post" action="/__emulator/consent">${hidden}
<label for="login">Account name</label><input id="login" type="text" name="login" value="${escapeHtml(person.login)}" required>
<label for="name">Display name</label><input id="name" type="text" name="name" value="${escapeHtml(person.name)}">
<label for="email">Email</label><input id="email" type="email" name="email" value="${escapeHtml(person.email ?? "")}">
<label class="inline"><input type="checkbox" name="email_verified" ${person.emailVerified ? "checked" : ""}> Email is verified</label>
<p class="note">The same account name always gets the same provider user id.</p>
<div class="actions"><button type="submit" name="decision" value="approve">Authorize</button><button type="submit" name="decision" value="deny">Deny</button></div>
</form>`,
  );
}
