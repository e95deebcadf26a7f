import type { NextFunction, Request, Response } from "express";

export type FlashKind = "success" | "info" | "warning" | "error";
export interface FlashMessage { kind: FlashKind; message: string }

declare module "express-session" {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

/** Queues a message for the next rendered page (Post/Redirect/Get). */
export function flash(req: Request, kind: FlashKind, message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, message }];
}

/**
 * Hands queued flash messages to the page being rendered. They are taken from the session only when
 * a successful page renders: a redirect, or a 404 for something the browser fetched on the side
 * (a favicon, a prefetch), must not swallow the message meant for the page that follows.
 */
export function exposeFlash(req: Request, res: Response, next: NextFunction) {
  res.locals.flash = [];
  const render = res.render.bind(res) as (...args: unknown[]) => void;
  res.render = ((...args: unknown[]) => {
    if (res.statusCode < 400 && req.session?.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    render(...args);
  }) as Response["render"];
  next();
}
