/** How long a profile link may be. */
export const LINK_MAX_LENGTH = 300;

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
