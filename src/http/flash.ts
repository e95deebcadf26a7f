import type { NextFunction, Request, Response } from "express";
import type {} from "./session-keys";

export type FlashKind = "success" | "info" | "warning" | "error";
export interface FlashMessage { kind: FlashKind; message: string }

/** Queues a message for the next rendered page (Post/Redirect/Get). */
export function flash(req: Request, kind: FlashKind, message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, message }];
}

/** Moves queued flash messages into res.locals.flash for the page being rendered. */
export function exposeFlash(req: Request, res: Response, next: NextFunction) {
  res.locals.flash = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  next();
}
