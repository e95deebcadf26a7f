import { z } from "zod";

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
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DEV_PROVIDER_EMULATORS: z.enum(["0", "1"]).default("0"),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().regex(/^[0-9A-Za-z.:-]+$/, "must be an IP address or host name, like 127.0.0.1 or 0.0.0.0").optional(),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  RATE_LIMIT_LOGIN_PER_IP: positiveInt.default(30),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: positiveInt.default(10),
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
  /** How long a SIGTERM or SIGINT waits for requests in flight and the mail worker's current send. */
  shutdownGraceMs: number;
  providers: Partial<Record<ProviderName, ProviderConfig>>;
  rateLimits: {
    windowSeconds: number;
    loginPerIp: number;
    loginPerAccount: number;
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

function readProviders(env: Record<string, string | undefined>, problems: string[]) {
  const providers: Config["providers"] = {};
  for (const [name, { prefix, urls }] of Object.entries(PROVIDERS) as [ProviderName, (typeof PROVIDERS)[ProviderName]][]) {
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
  const providers = readProviders(cleaned, problems);
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
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    devProviderEmulators: e.DEV_PROVIDER_EMULATORS === "1",
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST ?? (isProduction ? undefined : "127.0.0.1") },
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    providers,
    rateLimits: {
      windowSeconds,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
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
