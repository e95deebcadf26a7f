import { parse } from "cookie";
import type { Express, Request } from "express";

/**
 * `req.cookies` for every request of `app`: the Cookie header parsed the first time something reads
 * it (CSRF, the accounts list, a passkey challenge), by the parser Express and express-session use.
 * cookie-parser, which did this before, ran on every request and also copied values into
 * `signedCookies` and turned any value starting with "j:" into parsed JSON. This app signs its
 * cookies itself and stores no JSON in them, and a JSON cookie would let a visitor hand an object
 * where code expects a string, so values here are always the strings the browser sent.
 */
export function parseCookiesOnRead(app: Express): void {
  Object.defineProperty(app.request, "cookies", {
    configurable: true,
    get(this: Request) {
      const cookies = parse(this.headers.cookie ?? "");
      Object.defineProperty(this, "cookies", { value: cookies, writable: true, configurable: true, enumerable: true });
      return cookies;
    },
  });
}
