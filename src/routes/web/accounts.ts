import type { Request, Response } from "express";
import { z } from "zod";
import { flash } from "../../http/flash";
import { otherAccountsOf, parkCurrentAccount, switchToAccount } from "../../http/browser-accounts";
import type { Valid } from "../../http/validate";

/** POST /accounts/switch — which of this browser's other accounts to use. */
export const SwitchAccountForm = z.object({
  account: z.uuid("Choose one of the accounts in the menu."),
});

/**
 * POST /accounts/add — keeps the account in use signed in, in this browser's list, and goes to the
 * sign-in page with no account in use, where any way of signing in adds the next one.
 */
export function submitAddAccount(req: Request, res: Response) {
  parkCurrentAccount(req);
  res.redirect("/login");
}

/**
 * POST /accounts/switch — uses another account this browser is signed in to. `account` is that
 * session's public id: the page never holds a session id, and an id that is not one of this
 * browser's own sessions finds nothing, since only the ids in this browser's signed cookie are read.
 */
export async function submitAccountSwitch(req: Valid<typeof SwitchAccountForm>, res: Response) {
  const target = otherAccountsOf(req).find((a) => a.publicId === req.body.account);
  if (target && (await switchToAccount(req, target))) {
    flash(req, "info", `You are now using ${target.user.username}.`);
    return res.redirect("/");
  }
  flash(req, "error", "That account is no longer signed in in this browser. Sign in to it again to add it.");
  res.redirect(req.user ? "/" : "/login");
}
