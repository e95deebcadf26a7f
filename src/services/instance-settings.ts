import type { Config, ProviderName } from "../config";
import { db, type Executor } from "../db/knex";
import { findInstanceSettings, saveInstanceSettings, type InstanceSettingsRow } from "../db/instance-settings";
import type { Logger } from "../lib/logger";

/**
 * The instance settings site admins edit on /admin/settings: who may sign up, from which email
 * domains, which providers show, the minimum password length, whether 2FA is required for
 * everyone, and the session lifetimes.
 *
 * Stored in one database row; an environment variable, where set, wins (config.instanceSettingsFromEnv)
 * and the page shows that setting locked. They are read on hot paths (every sign-in, every session
 * touch, every sign-in page), so they are read from memory: each app process keeps the effective
 * settings and reloads them every few seconds in the background and at once when it saves them
 * itself. A signed-in request therefore costs no extra statement, and another process sees a change
 * within RELOAD_INTERVAL_MS.
 *
 * `requireTwoFactor` is enforced by requireConfirmed (src/http/require-user.ts).
 */
export interface InstanceSettingsValues {
  signupMode: "open" | "invite_only" | "closed";
  /** Lower-case domains a new account's address must be at; empty means any. */
  signupEmailDomains: string[];
  /** Configured providers whose buttons and routes are turned off. */
  hiddenProviders: ProviderName[];
  passwordMinLength: number;
  requireTwoFactor: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  rememberedSessionDays: number;
}

/** The settings of an instance nobody has configured (the table's column defaults too). */
export const DEFAULT_INSTANCE_SETTINGS: Readonly<InstanceSettingsValues> = Object.freeze({
  signupMode: "open",
  signupEmailDomains: [],
  hiddenProviders: [],
  passwordMinLength: 12,
  requireTwoFactor: false,
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  rememberedSessionDays: 30,
});

/** How often each process reloads the stored settings in the background. */
export const RELOAD_INTERVAL_MS = 5000;

/** The lifetimes of sessions, in seconds, as the session code uses them. */
export interface SessionLifetimes {
  idleSeconds: number;
  maxSeconds: number;
  rememberedSeconds: number;
}

function fromRow(row: InstanceSettingsRow | undefined): InstanceSettingsValues {
  if (!row) return { ...DEFAULT_INSTANCE_SETTINGS };
  return {
    signupMode: row.signup_mode,
    signupEmailDomains: row.signup_email_domains,
    hiddenProviders: row.hidden_providers as ProviderName[],
    passwordMinLength: row.password_min_length,
    requireTwoFactor: row.require_two_factor,
    sessionIdleMinutes: row.session_idle_minutes,
    sessionMaxHours: row.session_max_hours,
    rememberedSessionDays: row.remembered_session_days,
  };
}

/** The values as the stored row's columns, which are also the admin form's and the API's snake_case names. */
export function settingsToFields(v: InstanceSettingsValues) {
  return {
    signup_mode: v.signupMode,
    signup_email_domains: v.signupEmailDomains,
    hidden_providers: v.hiddenProviders,
    password_min_length: v.passwordMinLength,
    require_two_factor: v.requireTwoFactor,
    session_idle_minutes: v.sessionIdleMinutes,
    session_max_hours: v.sessionMaxHours,
    remembered_session_days: v.rememberedSessionDays,
  };
}

/** The in-memory settings of one app process (see the module comment). */
export class InstanceSettings {
  private stored: InstanceSettingsValues = { ...DEFAULT_INSTANCE_SETTINGS };
  private loaded: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: Pick<Config, "instanceSettingsFromEnv">, private readonly logger?: Logger) {}

  /** The effective settings: stored values, overridden by the environment. No database access. */
  current(): InstanceSettingsValues {
    return { ...this.stored, ...this.config.instanceSettingsFromEnv };
  }

  /** What an admin saved, before the environment's overrides (the values the form edits). */
  storedValues(): InstanceSettingsValues {
    return { ...this.stored };
  }

  /** The settings the environment sets, which the admin page shows locked. */
  lockedKeys(): Set<keyof InstanceSettingsValues> {
    return new Set(Object.keys(this.config.instanceSettingsFromEnv) as (keyof InstanceSettingsValues)[]);
  }

  /** The session lifetimes in seconds. */
  sessionLifetimes(): SessionLifetimes {
    const s = this.current();
    return { idleSeconds: s.sessionIdleMinutes * 60, maxSeconds: s.sessionMaxHours * 3600, rememberedSeconds: s.rememberedSessionDays * 86_400 };
  }

  /** Resolves once the stored settings were read the first time (later calls cost nothing). */
  ready(): Promise<void> {
    this.loaded ??= this.reload().catch((err) => {
      this.loaded = undefined;
      throw err;
    });
    return this.loaded;
  }

  /** Reads the stored row again. */
  async reload(q: Executor = db): Promise<void> {
    this.stored = fromRow(await findInstanceSettings(q));
  }

  /** Starts the background reload (not in tests, where nothing else writes the row behind the app's back). */
  startReloading(intervalMs = RELOAD_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.reload().catch((err) => this.logger?.warn({ err: (err as Error).message }, "reloading the instance settings failed"));
    }, intervalMs).unref();
  }

  /** Stops the background reload. */
  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Changes the stored settings: `work` gets the stored values as the database has them now (read
   * under a lock, so concurrent changes apply one after the other and none is lost) and the
   * transaction, writes what else belongs with the change (the audit entry), and returns the new
   * values, or undefined to write nothing. This process uses them from the commit on, the others
   * within RELOAD_INTERVAL_MS.
   */
  async change(work: (stored: InstanceSettingsValues, trx: Executor) => Promise<InstanceSettingsValues | undefined>): Promise<void> {
    const row = await db.transaction(async (trx) => {
      // An advisory lock rather than FOR UPDATE: before the first save there is no row to lock.
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext('gatehouse.instance_settings'))");
      const next = await work(fromRow(await findInstanceSettings(trx)), trx);
      return next ? saveInstanceSettings(settingsToFields(next), trx) : undefined;
    });
    if (row) this.stored = fromRow(row);
  }
}

/** True when a new account may use `email` under the effective settings' domain list. */
export function emailDomainAllowed(settings: Pick<InstanceSettingsValues, "signupEmailDomains">, email: string): boolean {
  if (settings.signupEmailDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return settings.signupEmailDomains.includes(domain);
}

/** The message beside the email field when its domain is not allowed. */
export function domainRefusal(settings: Pick<InstanceSettingsValues, "signupEmailDomains">): string {
  const list = settings.signupEmailDomains.map((d) => `@${d}`).join(", ");
  return `New accounts on this Gatehouse need an address at ${list}.`;
}
