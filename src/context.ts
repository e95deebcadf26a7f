import type { Config } from "./config";
import type { Mailer } from "./emails/mailer";
import type { Logger } from "./lib/logger";
import type { RateLimits } from "./services/rate-limits";
import type { InstanceSettings } from "./services/instance-settings";
import type { SecretBox } from "./auth/secret-box";

/** What routes and services share for the life of the process. */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Queues mail in the caller's transaction, with links built on the configured base URL. */
  mail: Mailer;
  limits: RateLimits;
  /** The instance settings, read from memory (src/services/instance-settings.ts). */
  settings: InstanceSettings;
  /** Encrypts TOTP secrets with a key derived from SESSION_SECRET. */
  secretBox: SecretBox;
}
