import path from "node:path";
import express from "express";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { db } from "./db/knex";
import type { Logger } from "./lib/logger";
import { createPassport, installPassportRequestMethods, restoreSessionUser } from "./http/passport";
import { createRateLimits } from "./services/rate-limits";
import { createMailer } from "./emails/mailer";
import { createSessionMiddleware } from "./http/session";
import { renderEjsView } from "./http/view-engine";
import { PgSessionStore } from "./http/session-store";
import { createCsrf } from "./http/csrf";
import { parseCookiesOnRead } from "./http/cookies";
import { createBrowserAccounts, MAX_ACCOUNTS } from "./http/browser-accounts";
import { explainFormOfOtherAccount } from "./http/form-of-other-account";
import { exposeFlash } from "./http/flash";
import { exposeLocals, viewHelpers } from "./http/locals";
import { securityHeaders } from "./http/security-headers";
import { noStoreWhenSignedIn } from "./http/no-store";
import { requestLogger } from "./http/request-logger";
import { observeRequests } from "./metrics/http";
import { errorHandler, notFoundHandler } from "./http/errors";
import { formBody } from "./http/body-parsers";
import { rejectUnsafeUrl } from "./http/input-guard";
import { vendorScripts } from "./http/vendor-scripts";
import { healthRoutes } from "./routes/web/health";
import { devMailRoutes } from "./routes/web/dev-mail";
import { ssoResponseRoutes, webRoutes } from "./routes/web";
import { apiRoutes } from "./routes/api";
import { oauthRoutes } from "./routes/oauth";
import { scimRoutes } from "./routes/scim";
import { SETTINGS_SECTIONS } from "./http/settings-sections";
import { visibleProviders } from "./auth/providers";
import { InstanceSettings } from "./services/instance-settings";
import { createSecretBox } from "./auth/secret-box";

export interface AppOptions {
  config: Config;
  logger: Logger;
  sessionSecret: string;
  /** The session store class; tests pass a subclass that stalls writes to provoke races. */
  SessionStore?: typeof PgSessionStore;
}

/**
 * Builds the Express app: middleware in order, then routes. It does not listen, so tests can serve
 * it on any port. `close()` releases what the app holds besides the shared database pool.
 */
export function createApp(opts: AppOptions) {
  const { config, logger } = opts;
  const settings = new InstanceSettings(config, logger);
  // Tests change the settings through the app, which reloads at once; no timer to race with them.
  if (config.env !== "test") settings.startReloading();
  const ctx: AppContext = { config, logger, mail: createMailer(config), limits: createRateLimits(config, db), settings, secretBox: createSecretBox(opts.sessionSecret) };
  const app = express();
  // Views render through EJS without its file-system check on every include (src/http/view-engine.ts).
  app.engine("ejs", renderEjsView);
  app.set("view engine", "ejs");
  app.set("views", path.resolve(__dirname, "../views"));
  app.set("trust proxy", config.trustProxy ?? false);
  app.disable("x-powered-by");
  // req.cookies, for every request, parsed only when something reads it.
  parseCookiesOnRead(app);
  // No ETag on rendered pages and API answers: it costs a SHA-1 of every body, and signed-in pages
  // and the API are no-store, so nothing revalidates them; only a signed-out page could be answered
  // 304, saving a few kB. Static files keep their ETags (serve-static makes its own).
  app.set("etag", false);
  app.locals.config = config;
  app.locals.mail = ctx.mail;
  app.locals.settingsSections = SETTINGS_SECTIONS;
  // The configured external providers the instance settings show, for the sign-in and sign-up
  // buttons, and the password rule's minimum for form hints: read at each render, from memory.
  app.locals.instanceSettings = settings;
  Object.defineProperty(app.locals, "authProviders", { enumerable: true, get: () => visibleProviders(config, settings.current()) });
  Object.defineProperty(app.locals, "passwordMinLength", { enumerable: true, get: () => settings.current().passwordMinLength });
  // The templates' helpers (dates, roles, avatars): the same for every request.
  Object.assign(app.locals, viewHelpers);
  // Defaults for pages rendered before the per-request locals exist (errors early in the chain).
  Object.assign(app.locals, { currentUser: undefined, flash: [], errors: {}, values: {}, devOutbox: false, csrfToken: () => "", otherAccounts: [], maxAccounts: MAX_ACCOUNTS });

  if (config.metrics) app.use(observeRequests);
  app.use(requestLogger(logger));
  app.use(securityHeaders(config));
  // Before anything reads the path or the query (static files, /api, /oauth, the web routes): a
  // control character or a broken %-escape is a 400 here rather than a 500 from the router or the
  // database (src/http/input-guard.ts).
  app.use(rejectUnsafeUrl);
  app.use("/public", express.static(path.resolve(__dirname, "../public"), { maxAge: config.isProduction ? "1d" : 0 }));
  app.use(vendorScripts(config.isProduction ? "1d" : 0));
  app.use(healthRoutes());
  // The JSON API sits before the session middleware: it never reads the session cookie, only bearer
  // tokens, so CSRF cannot apply to it and a token never authenticates a web page.
  app.use("/api", apiRoutes(ctx));
  // SCIM provisioning by an organization's identity provider: its own bearer token only, never a
  // cookie, so it too sits before the session middleware.
  app.use("/scim", scimRoutes(ctx));
  // CLI sign-in: service discovery and the OAuth token endpoint are called by the CLI
  // itself, with no cookie and no CSRF token, so they too sit before the session middleware.
  app.use(oauthRoutes(ctx));

  // The instance settings are read once, before the first web request (sessions, sign-in, sign-up
  // and their pages use them); the API reads them only in its admin settings endpoints, which wait
  // for them there, so an API request never pays for the first read.
  app.use((_req, _res, next) => void settings.ready().then(() => next(), next));
  // SAML carries XML in forms: IdP metadata pasted by an owner, and responses whose signed
  // assertions (with certificates and group lists) outgrow the general limit.
  app.use(["/orgs/:org/settings/sso/saml", "/sso/:id/saml/acs"], formBody({ limit: "256kb", parameterLimit: 100 }));
  app.use(formBody({ limit: "32kb", parameterLimit: 100 }));
  const sessions = createSessionMiddleware(config, opts.sessionSecret, logger, opts.SessionStore);
  app.use(sessions.middleware);
  const passport = createPassport(ctx);
  installPassportRequestMethods(app, passport);
  app.use(restoreSessionUser((req) => sessions.store.signedInUser(req as express.Request)));
  app.use(noStoreWhenSignedIn);
  const csrf = createCsrf(config, opts.sessionSecret);
  app.use(csrf.exposeCsrfToken, exposeFlash, exposeLocals(ctx));
  // The other accounts this browser is signed in to, for the user menu, switching and CSRF's words.
  app.use(createBrowserAccounts(config, opts.sessionSecret));
  app.use(ssoResponseRoutes(ctx));
  app.use(csrf.verifyCsrf, explainFormOfOtherAccount(csrf.formTokenMadeFor));

  // Development aid only: never mounted in production or when real SMTP is configured.
  if (!config.isProduction && !config.smtpUrl) app.use(devMailRoutes());
  app.use(webRoutes(ctx, passport));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return { app, ctx, close: async () => { settings.stop(); await ctx.limits.apiPerToken.close(); await sessions.close(); } };
}
