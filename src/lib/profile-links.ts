/** How long a profile link may be. */
export const LINK_MAX_LENGTH = 300;

/**
 * `value` with `https://` in front when it names no scheme ("example.com/me", "//example.com",
 * "example.com:8080"), so a link typed the way people say it is kept instead of refusing the whole
 * profile. A value that does name a scheme ("javascript:...", "ftp://...") is returned unchanged, for
 * normaliseHttpUrl to refuse.
 */
export function withDefaultScheme(value: string): string {
  if (value === "") return value;
  if (value.startsWith("//")) return `https:${value}`;
  // "host:port" looks like a scheme to URL; a scheme is never followed by digits alone and then a path.
  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(value);
  if (scheme && !/^\d+(?:[/?#]|$)/.test(scheme[2])) return value;
  return `https://${value}`;
}

/**
 * The normalised URL when `value` is an absolute http(s) URL with a host and no credentials;
 * otherwise undefined. Every other scheme (javascript:, data:, file:, ...) is refused, so a link on a
 * public profile can only ever navigate to a web page.
 */
export function normaliseHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  return url.href;
}

/** The text shown for a link: host and path without the scheme or a trailing slash. */
export function linkLabel(href: string): string {
  const url = new URL(href);
  const rest = `${url.pathname}${url.search}${url.hash}`.replace(/\/$/, "");
  return `${url.host}${rest}`;
}
