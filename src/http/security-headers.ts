import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import type { Config } from "../config";
import { authorizationOrigins, avatarOrigins } from "../auth/providers";
import { backingAuthorizationOrigins } from "../auth/providers/backing-adapters";
import { GRAVATAR_ORIGIN } from "../lib/avatar";

/**
 * Security headers for every response. The CSP allows no inline script or style and no plugin
 * content, so injected markup cannot run; frame-ancestors 'none' (and X-Frame-Options) stop
 * clickjacking of forms; form-action 'self' keeps forms from posting elsewhere. Images come from
 * this server, data: URLs (the TOTP QR code), Gravatar and the configured providers' avatar origins
 * only (avatars are shown by URL, never fetched by our server): an image URL that slipped past
 * acceptedAvatarUrl still cannot make browsers call an arbitrary host. HSTS and
 * upgrade-insecure-requests only apply when BASE_URL is https, so http://localhost keeps working.
 */
export function securityHeaders(config: Config) {
  const headers = fixedHeadersOf(helmetFor(config));
  // Sent on every response, so set from the list helmet made once rather than through helmet's
  // chain of a dozen middleware per request. X-Powered-By is never set (app.disable in app.ts).
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers a helmet middleware sets, found by running it once. Our policy has no per-request
 * part (no nonces, no directive computed from the request), so every response gets the same ones.
 */
function fixedHeadersOf(middleware: ReturnType<typeof helmet>): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: string) => headers.push([name, String(value)]),
    removeHeader: () => {},
  } as unknown as ServerResponse;
  let finished = false;
  middleware({} as IncomingMessage, res, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error("helmet did not finish synchronously; its headers cannot be fixed once");
  return headers;
}

function helmetFor(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", GRAVATAR_ORIGIN, ...avatarOrigins(config)],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Plus the configured sign-in and backing providers: their buttons post here, then redirect there.
        formAction: ["'self'", ...new Set([...authorizationOrigins(config), ...backingAuthorizationOrigins(config)])],
        frameAncestors: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    crossOriginEmbedderPolicy: false,
  });
}
