import type { Config } from "./config";
import type { Logger } from "./lib/logger";
import type { RateLimits } from "./services/rate-limits";
import type { InstanceSettings } from "./services/instance-settings";

/** What routes and services share for the life of the process. */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Wakes the mail worker after a transaction that queued mail has committed. */
  kickMail: () => void;
  limits: RateLimits;
  /** The instance settings, read from memory (src/services/instance-settings.ts). */
  settings: InstanceSettings;
}
