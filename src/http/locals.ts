import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context";

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
