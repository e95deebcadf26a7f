/**
 * The `next=` target after sign-in, only when it is a path on this site. Anything else (absolute
 * URLs, protocol-relative `//host`, backslash tricks, control characters) falls back to `fallback`,
 * which closes the open-redirect hole that phishing relies on.
 */
export function safeNextPath(next: unknown, fallback = "/"): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\\]/.test(next)) return fallback;
  return next;
}
