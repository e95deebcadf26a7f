import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context";
import { passwordRules } from "../auth/passwords";
import { initialsAvatar, ownAvatar } from "../lib/avatar";
import { displayIp } from "../lib/ip-address";
import { cliClientName } from "../lib/cli-clients";
import { roleBadgeClass, roleLabel, roleWithArticle } from "../lib/role-words";
import { formatDate, formatDateTime, timeAgo } from "../lib/time-words";

/**
 * The helpers every template may call (app.ts puts them in app.locals, so error pages have them
 * too), so each small thing is said one way on every page: times (through views/partials/time.ejs),
 * role names and badges, avatars (views/partials/avatar.ejs), IP addresses, CLI client names and the password rules.
 */
export const viewHelpers = { formatDate, formatDateTime, timeAgo, roleLabel, roleWithArticle, roleBadgeClass, initialsAvatar, ownAvatar, passwordRules, displayIp, cliClientName };

/** Values every page template can use: the signed-in user, the current path, the mode. */
export function exposeLocals(ctx: AppContext) {
  const devOutbox = !ctx.config.isProduction && !ctx.config.smtpUrl;
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.currentUser = req.user;
    res.locals.currentPath = req.path;
    res.locals.devOutbox = devOutbox;
    res.locals.errors = {};
    res.locals.values = {};
    next();
  };
}
