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

/**
 * What of an error may be logged: an allowlist, not pino's default of every enumerable property,
 * because libraries hang request data on their errors. body-parser puts the raw body on `body`
 * (a form that failed to parse logged its plaintext password that way), and its parse errors'
 * messages quote the body they failed on (Node's JSON.parse does), so an error that carries a
 * body keeps only its class, type and status. Takes an Error or an object already made of one by
 * pino's own error serializer (which copies every property).
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (err === null || typeof err !== "object") return typeof err === "string" ? err : { message: String(err) };
  const e = err as Record<string, unknown>;
  // pino's serializer keeps the original error on `raw`: start again from that one.
  if (!(err instanceof Error) && e.raw instanceof Error) return serializeError(e.raw, depth);
  const carriesBody = "body" in e || typeof e.raw === "string" || Buffer.isBuffer(e.raw);
  const out: Record<string, unknown> = { type: err instanceof Error ? err.constructor.name : e.type };
  if (err instanceof Error && typeof e.type === "string") out.errorType = e.type;
  out.message = carriesBody ? "[redacted: the error carried the request body]" : e.message;
  if (!carriesBody) out.stack = e.stack;
  const status = e.status ?? e.statusCode;
  if (typeof status === "number") out.status = status;
  if (typeof e.code === "string" || typeof e.code === "number") out.code = e.code;
  if (typeof e.constraint === "string") out.constraint = e.constraint;
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** Creates the root logger at the given level, writing to stdout unless given a destination (tests read it). */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options = { level, redact: { paths: REDACT, censor: "[redacted]" }, base: undefined, serializers: { err: serializeError } };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;

/** Routes whose next path segment is a secret (an emailed link's token). */
const TOKEN_ROUTES = [["email", "confirm"], ["password", "reset"], ["invitations"], ["not-me"]];

/**
 * A path fit for logs: the query string dropped and the secret segment of token-bearing URLs
 * (/email/confirm/:token, /password/reset/:token, /invitations/:token, /not-me/:token) replaced. An absolute-form
 * request target (`GET http://host/password/reset/<token> HTTP/1.1`, which Express routes like the
 * path alone) is reduced to its path first, and segments are compared percent-decoded and
 * case-insensitively, so no spelling that reaches a token route logs its token.
 */
export function loggablePath(url: string): string {
  let pathOnly = (url.split("?")[0] ?? "").split("#")[0] ?? "";
  if (!pathOnly.startsWith("/")) {
    try {
      pathOnly = new URL(url).pathname;
    } catch {
      return "[unparsed request target]";
    }
  }
  const segments = pathOnly.split("/");
  const named = segments.map((s) => safeDecode(s).toLowerCase());
  // Empty segments (a doubled slash) are skipped when matching: they are easy to add.
  const real = named.flatMap((s, i) => (s === "" ? [] : [i]));
  for (const route of TOKEN_ROUTES) {
    const secret = real[route.length];
    if (secret !== undefined && route.every((part, j) => named[real[j]!] === part)) segments[secret] = "[redacted]";
  }
  return segments.join("/");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
