import { isIP } from "node:net";
import { z } from "zod";
import type { InstanceSettingsValues } from "./services/instance-settings";

/**
 * The only reader of process.env. Every variable is validated here; a bad one stops start-up with a
 * message that names it, so an operator never finds out about a typo from a 500 at runtime.
 */

const PROVIDERS = {
  github: { prefix: "GITHUB", urls: ["GITHUB_URL", "GITHUB_API_URL"] },
  gitlab: { prefix: "GITLAB", urls: ["GITLAB_URL"] },
  atlassian: { prefix: "ATLASSIAN", urls: ["ATLASSIAN_AUTH_URL", "ATLASSIAN_API_URL"] },
  google: { prefix: "GOOGLE", urls: ["GOOGLE_URL"] },
} as const;

export type ProviderName = keyof typeof PROVIDERS;

/**
 * Providers that are not sign-in providers, only backing ones: Bitbucket Cloud has its own OAuth
 * consumer, but its people sign in as the Atlassian accounts they are (ATLASSIAN_*).
 */
const BACKING_ONLY_PROVIDERS = {
  bitbucket: { prefix: "BITBUCKET", urls: ["BITBUCKET_URL", "BITBUCKET_API_URL"] },
} as const;

export type BackingOnlyProviderName = keyof typeof BACKING_ONLY_PROVIDERS;

export interface ProviderConfig {
  clientId: string;
  clientSecret: string;
  /** Base-URL overrides (self-hosted providers, local emulators), keyed by variable name. */
  urls: Partial<Record<string, string>>;
}

const positiveInt = z.coerce.number().int().positive();
const url = z.url({ protocol: /^https?$/ });

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().regex(/^[0-9A-Za-z.:-]+$/, "must be an IP address or host name, like 127.0.0.1 or 0.0.0.0").optional(),
  BASE_URL: url.optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).default("Gatehouse <no-reply@localhost>"),
  MAIL_GIVE_UP_HOURS: positiveInt.default(24),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DEV_PROVIDER_EMULATORS: z.enum(["0", "1"]).default("0"),
  SSO_ALLOW_PRIVATE_NETWORKS: z.enum(["0", "1"]).optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().regex(/^[0-9A-Za-z.:-]+$/, "must be an IP address or host name, like 127.0.0.1 or 0.0.0.0").optional(),
  DNS_SERVERS: z.string().refine((v) => v.split(",").every((item) => isDnsServer(item.trim())), "must be a comma-separated list of IP addresses with optional ports, like 10.0.0.2:53,[fd00::53]:53").optional(),
  DNS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(30).default(5),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  // Instance settings (src/services/instance-settings.ts): each one set here wins over what admins
  // store on /admin/settings, and the page shows it locked.
  SIGNUP_MODE: z.enum(["open", "invite_only", "closed"]).optional(),
  SIGNUP_EMAIL_DOMAINS: z.string().regex(/^[a-z0-9.,\s-]+$/i, "must be a comma-separated list of domains, like example.com,example.org").optional(),
  SIGN_IN_PROVIDERS: z.string().regex(/^(\s*(github|gitlab|atlassian|google|none)\s*,?)+$/, "must be a comma-separated list of github, gitlab, atlassian, google (or none)").optional(),
  REQUIRE_TWO_FACTOR: z.enum(["0", "1"]).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(1440).optional(),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).optional(),
  SESSION_REMEMBER_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  ADMIN_USERNAMES: z.string().regex(/^[A-Za-z0-9_,\s-]+$/, "must be a comma-separated list of usernames").optional(),
  RATE_LIMIT_LOGIN_PER_IP: positiveInt.default(30),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: positiveInt.default(10),
  RATE_LIMIT_TWO_FACTOR_PER_ACCOUNT: positiveInt.default(5),
  RATE_LIMIT_SIGNUP_PER_IP: positiveInt.default(10),
  RATE_LIMIT_EMAIL_PER_IP: positiveInt.default(10),
  RATE_LIMIT_EMAIL_PER_ACCOUNT: positiveInt.default(3),
  RATE_LIMIT_WINDOW_MINUTES: positiveInt.default(15),
  RATE_LIMIT_API_PER_TOKEN: positiveInt.default(600),
  // Mail that strangers receive (invitations) and what multiplies it (new organizations): counted
  // per day, not per RATE_LIMIT_WINDOW_MINUTES, since the harm is the daily volume.
  RATE_LIMIT_INVITATIONS_PER_ORG: positiveInt.default(30),
  RATE_LIMIT_INVITATIONS_PER_INVITER: positiveInt.default(100),
  RATE_LIMIT_INVITATIONS_PER_RECIPIENT: positiveInt.default(5),
  RATE_LIMIT_ORGS_PER_ACCOUNT: positiveInt.default(10),
});

export interface Config {
  env: "development" | "production" | "test";
  isProduction: boolean;
  port: number;
  /**
   * The address to listen on; undefined means every interface. Development listens on 127.0.0.1
   * unless HOST says otherwise: a laptop's app has a generated session secret and, without SMTP_URL,
   * an outbox at /dev/mail that shows every mailed link (resets included) to whoever can reach it,
   * so it must not answer the café's network. Production listens on all interfaces, as a container
   * or a host behind a proxy needs.
   */
  host: string | undefined;
  baseUrl: string;
  /** Cookies get the Secure flag when the public URL is https. */
  secureCookies: boolean;
  databaseUrl?: string;
  sessionSecret?: string;
  smtpUrl?: string;
  mailFrom: string;
  /** How long the mail worker keeps retrying a mail the SMTP server does not take before marking it failed. */
  mailGiveUpHours: number;
  trustProxy?: string | number;
  logLevel: string;
  passwordMinLength: number;
  embeddedPgPort: number;
  devProviderEmulators: boolean;
  /**
   * Prometheus metrics at /metrics on a port of their own (src/metrics/server.ts); undefined: off,
   * and requests are not timed. The address follows HOST's defaults unless METRICS_HOST is set.
   */
  metrics?: { port: number; host: string | undefined };
  /**
   * The DNS servers that domain verification asks for TXT records ("host:port", DNS_SERVERS), or
   * empty for the system's resolver; and how long one lookup may take.
   */
  dns: { servers: string[]; timeoutMs: number };
  /**
   * Whether organizations' SSO settings may point this server at private or local network addresses
   * (SSO_ALLOW_PRIVATE_NETWORKS; default: only outside production). See src/services/sso/outbound.ts.
   */
  ssoAllowPrivateNetworks: boolean;
  /** How long a SIGTERM or SIGINT waits for requests in flight and the mail worker's current send. */
  shutdownGraceMs: number;
  providers: Partial<Record<ProviderName, ProviderConfig>>;
  /** Providers used only for organization backing (Bitbucket Cloud), configured like the sign-in ones. */
  backingProviders: Partial<Record<BackingOnlyProviderName, ProviderConfig>>;
  /** Usernames made site admins at every start (ADMIN_USERNAMES). */
  adminUsernames: string[];
  /** The instance settings the environment sets; each wins over the stored value (locked on /admin/settings). */
  instanceSettingsFromEnv: Partial<InstanceSettingsValues>;
  rateLimits: {
    windowSeconds: number;
    loginPerIp: number;
    loginPerAccount: number;
    twoFactorPerAccount: number;
    signupPerIp: number;
    emailPerIp: number;
    emailPerAccount: number;
    apiPerToken: number;
    /** Invitations sent or resent per organization per hour. */
    invitationsPerOrg: number;
    /** Invitations sent or resent per inviter (person or organization token) per day, all organizations together. */
    invitationsPerInviter: number;
    /** Invitations mailed to one address per day, all organizations together. */
    invitationsPerRecipient: number;
    /** Organizations one account creates per day. */
    orgsPerAccount: number;
  };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function readProviders<N extends string>(table: Record<N, { prefix: string; urls: readonly string[] }>, env: Record<string, string | undefined>, problems: string[]) {
  const providers: Partial<Record<N, ProviderConfig>> = {};
  for (const [name, { prefix, urls }] of Object.entries(table) as [N, { prefix: string; urls: readonly string[] }][]) {
    const id = env[`${prefix}_CLIENT_ID`];
    const secret = env[`${prefix}_CLIENT_SECRET`];
    // A half-configured provider is an operator mistake: refuse to start rather than hide the button.
    if (!id && !secret) continue;
    if (!id) problems.push(`${prefix}_CLIENT_ID is missing (${prefix}_CLIENT_SECRET is set)`);
    if (!secret) problems.push(`${prefix}_CLIENT_SECRET is missing (${prefix}_CLIENT_ID is set)`);
    const overrides: Record<string, string> = {};
    for (const key of urls) {
      const value = env[key];
      if (!value) continue;
      if (!url.safeParse(value).success) problems.push(`${key}: must be an http(s) URL`);
      overrides[key] = value.replace(/\/+$/, "");
    }
    if (id && secret) providers[name] = { clientId: id, clientSecret: secret, urls: overrides };
  }
  return providers;
}

/** True for "ip", "ipv4:port" or "[ipv6]:port" (what Node's resolver takes; it resolves no host names for its own servers). */
function isDnsServer(item: string): boolean {
  const m = item.match(/^\[([^\]]+)\](?::(\d{1,5}))?$/) ?? item.match(/^([^:]+)(?::(\d{1,5}))?$/);
  if (!m) return isIP(item) === 6;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  return isIP(m[1]!) !== 0 && port >= 1 && port <= 65535;
}

/** A comma-separated list as trimmed, lower-cased, non-empty items. */
function commaList(value: string): string[] {
  return value.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
}

/** The instance settings set by the environment (only those set: the rest stay editable). */
function settingsFromEnv(e: z.infer<typeof EnvSchema>, set: Record<string, unknown>): Partial<InstanceSettingsValues> {
  const out: Partial<InstanceSettingsValues> = {};
  if (e.SIGNUP_MODE) out.signupMode = e.SIGNUP_MODE;
  if (e.SIGNUP_EMAIL_DOMAINS !== undefined) out.signupEmailDomains = commaList(e.SIGNUP_EMAIL_DOMAINS);
  if (e.SIGN_IN_PROVIDERS !== undefined) {
    const shown = commaList(e.SIGN_IN_PROVIDERS);
    out.hiddenProviders = (Object.keys(PROVIDERS) as ProviderName[]).filter((p) => !shown.includes(p));
  }
  if (set.PASSWORD_MIN_LENGTH !== undefined) out.passwordMinLength = e.PASSWORD_MIN_LENGTH;
  if (e.REQUIRE_TWO_FACTOR) out.requireTwoFactor = e.REQUIRE_TWO_FACTOR === "1";
  if (e.SESSION_IDLE_MINUTES !== undefined) out.sessionIdleMinutes = e.SESSION_IDLE_MINUTES;
  if (e.SESSION_MAX_HOURS !== undefined) out.sessionMaxHours = e.SESSION_MAX_HOURS;
  if (e.SESSION_REMEMBER_DAYS !== undefined) out.rememberedSessionDays = e.SESSION_REMEMBER_DAYS;
  return out;
}

function parseTrustProxy(value: string | undefined): string | number | undefined {
  if (!value) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Reads and validates the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  const providers = readProviders(PROVIDERS, cleaned, problems);
  const backingProviders = readProviders(BACKING_ONLY_PROVIDERS, cleaned, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";
  if (isProduction && !e.SESSION_SECRET) problems.push("SESSION_SECRET: required in production");
  if (isProduction && !e.BASE_URL) problems.push("BASE_URL: required in production");
  if (isProduction && !e.DATABASE_URL) problems.push("DATABASE_URL: required in production");
  // Without SMTP in production every mail (confirmations, resets, security notices) would be dropped.
  if (isProduction && !e.SMTP_URL) problems.push("SMTP_URL: required in production");
  if (isProduction && e.DEV_PROVIDER_EMULATORS === "1") problems.push("DEV_PROVIDER_EMULATORS: not allowed in production");
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) problems.push("METRICS_PORT: must differ from PORT");
  if (e.METRICS_HOST !== undefined && e.METRICS_PORT === undefined) problems.push("METRICS_HOST: set METRICS_PORT too (metrics are off without it)");
  if (problems.length > 0) throw new ConfigError(problems);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const windowSeconds = e.RATE_LIMIT_WINDOW_MINUTES * 60;
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST ?? (isProduction ? undefined : "127.0.0.1"),
    baseUrl,
    secureCookies: baseUrl.startsWith("https://"),
    databaseUrl: e.DATABASE_URL,
    sessionSecret: e.SESSION_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    mailGiveUpHours: e.MAIL_GIVE_UP_HOURS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    devProviderEmulators: e.DEV_PROVIDER_EMULATORS === "1",
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST ?? (isProduction ? undefined : "127.0.0.1") },
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    ssoAllowPrivateNetworks: e.SSO_ALLOW_PRIVATE_NETWORKS === undefined ? !isProduction : e.SSO_ALLOW_PRIVATE_NETWORKS === "1",
    dns: { servers: e.DNS_SERVERS ? e.DNS_SERVERS.split(",").map((s) => s.trim()).filter(Boolean) : [], timeoutMs: e.DNS_TIMEOUT_SECONDS * 1000 },
    providers,
    backingProviders,
    adminUsernames: e.ADMIN_USERNAMES ? e.ADMIN_USERNAMES.split(",").map((u) => u.trim()).filter(Boolean) : [],
    instanceSettingsFromEnv: settingsFromEnv(e, cleaned),
    rateLimits: {
      windowSeconds,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      twoFactorPerAccount: e.RATE_LIMIT_TWO_FACTOR_PER_ACCOUNT,
      signupPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
      emailPerIp: e.RATE_LIMIT_EMAIL_PER_IP,
      emailPerAccount: e.RATE_LIMIT_EMAIL_PER_ACCOUNT,
      apiPerToken: e.RATE_LIMIT_API_PER_TOKEN,
      invitationsPerOrg: e.RATE_LIMIT_INVITATIONS_PER_ORG,
      invitationsPerInviter: e.RATE_LIMIT_INVITATIONS_PER_INVITER,
      invitationsPerRecipient: e.RATE_LIMIT_INVITATIONS_PER_RECIPIENT,
      orgsPerAccount: e.RATE_LIMIT_ORGS_PER_ACCOUNT,
    },
  };
}
