import type { Request, Response } from "express";
import { z } from "zod";
import { formValues, type Valid } from "../../http/validate";
import { requestMeta } from "../../http/request-meta";
import { safeNextPath } from "../../http/safe-redirect";
import { BIO_MAX, bioSchema, DISPLAY_NAME_MAX, displayNameSchema } from "../../lib/profile-fields";
import { finishWelcome } from "../../services/welcome";

/** Where the "about you" step leads when the sign-in had nowhere else to go: choosing an organization. */
export const WELCOME_NEXT_PATH = "/welcome/organization";

/** POST /welcome: display name and "what do you work on" (both optional), and where to go next. */
export const WelcomeForm = z.object({
  display_name: displayNameSchema.default(""),
  bio: bioSchema.default(""),
  next: z.string().optional(),
});

/** The step's next page: the path the sign-in was going to (an invitation, a CLI consent), else WELCOME_NEXT_PATH. */
const nextOf = (value: unknown) => safeNextPath(value, WELCOME_NEXT_PATH);

/** GET /welcome — the short "about you" step after the first sign-in (and again on a 422); once done, home. */
export function showWelcome(req: Request, res: Response) {
  const user = req.user!;
  if (user.welcomed_at && req.method === "GET") return res.redirect("/");
  const values = formValues(res, { display_name: user.display_name, bio: user.bio, next: req.query.next });
  res.render("welcome/about", {
    title: "About you",
    values: { ...values, next: nextOf(values.next) },
    limits: { displayName: DISPLAY_NAME_MAX, bio: BIO_MAX },
  });
}

/** POST /welcome — saves the answers, ends the step, and goes on. */
export async function submitWelcome(req: Valid<typeof WelcomeForm>, res: Response) {
  const { display_name, bio, next } = req.body;
  if (!req.user!.welcomed_at) await finishWelcome(req.user!, { display_name, bio }, requestMeta(req));
  res.redirect(nextOf(next));
}

/** POST /welcome/skip — ends the step without saving anything, and goes on. */
export async function submitSkipWelcome(req: Request, res: Response) {
  if (!req.user!.welcomed_at) await finishWelcome(req.user!, undefined, requestMeta(req));
  res.redirect(nextOf(req.body?.next));
}
