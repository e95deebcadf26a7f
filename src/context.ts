import type { Config } from "./config";
import type { Logger } from "./lib/logger";
import type { RateLimits } from "./services/rate-limits";

/** What routes and services share for the life of the process. */
export interface AppContext {
  config: Config;
  logger: Logger;
  limits: RateLimits;
}
