import helmet from "helmet";
import type { Config } from "../config";
import { authorizationOrigins } from "../auth/providers";

/**
 * Security headers for every response. The CSP allows no inline script or style and no plugin
 * content, so injected markup cannot run; frame-ancestors 'none' (and X-Frame-Options) stop
 * clickjacking of forms; form-action 'self' keeps forms from posting elsewhere. Images may come from
 * https (Gravatar and provider avatars are shown by URL, never fetched by our server). HSTS and
 * upgrade-insecure-requests only apply when BASE_URL is https, so http://localhost keeps working.
 */
export function securityHeaders(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "https:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Plus the configured sign-in providers: their buttons post here, then redirect there.
        formAction: ["'self'", ...authorizationOrigins(config)],
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
