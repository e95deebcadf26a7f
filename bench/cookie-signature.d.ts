// cookie-signature ships no types; it comes with express-session, which signs its cookie with it.
declare module "cookie-signature" {
  /** `value` + "." + base64 HMAC-SHA256 of it under `secret`, as express-session signs its cookie. */
  export function sign(value: string, secret: string): string;
}
