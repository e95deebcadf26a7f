import type { Request, Response } from "express";

/** GET / — the landing page when signed out, the home page when signed in. */
export function showHome(req: Request, res: Response) {
  if (!req.user) return res.render("home/landing", { title: "Welcome" });
  if (!req.user.email_confirmed_at) return res.render("auth/confirm-pending", { title: "Confirm your email" });
  res.render("home/index", { title: "Home" });
}
