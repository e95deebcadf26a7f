import type { Request, Response } from "express";

/** GET /settings/profile — the profile section of settings. */
export function showProfileSettings(_req: Request, res: Response) {
  res.render("settings/profile/index", { title: "Profile", section: "profile" });
}
