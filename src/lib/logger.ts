import pino from "pino";

/**
 * Structured JSON logs. Secrets never reach a log line: request logs carry method, path without query
 * string and status only, and these paths are censored wherever they appear, as a second line of
 * defence for code that logs an object carelessly.
 */
const REDACT = [
  "password", "*.password", "current_password", "*.current_password", "password_confirmation",
  "*.password_confirmation", "token", "*.token", "_csrf", "*._csrf", "cookie", "*.cookie",
  "headers.cookie", "headers.authorization", "req.headers.cookie", "req.headers.authorization",
  "res.headers[\"set-cookie\"]", "code", "*.code", "secret", "*.secret",
];

/** Creates the root logger at the given level, writing to stdout unless given a destination (tests read it). */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options = { level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;

/**
 * A path fit for logs: the query string dropped and the secret segment of token-bearing URLs
 * (/email/confirm/:token, /password/reset/:token, /invitations/:token) replaced.
 */
export function loggablePath(url: string): string {
  const pathOnly = url.split("?")[0] ?? "";
  // Case-insensitive like Express's routing: /PASSWORD/Reset/<token> reaches the same handler.
  return pathOnly.replace(/^\/(email\/confirm|password\/reset|invitations)\/[^/]+/i, "/$1/[redacted]");
}
