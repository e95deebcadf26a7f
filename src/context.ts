import type { Config } from "./config";
import type { Logger } from "./lib/logger";
import type { RateLimits } from "./services/rate-limits";
import type { SecretBox } from "./auth/secret-box";

/** What routes and services share for the life of the process. */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Wakes the mail worker after a transaction that queued mail has committed. */
  kickMail: () => void;
  limits: RateLimits;
  /** Encrypts TOTP secrets with a key derived from SESSION_SECRET. */
  secretBox: SecretBox;
}
