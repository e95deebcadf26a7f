import type { Request, Response } from "express";
import { pendingConfirmationAddress } from "../services/unconfirmed-address";

/**
 * Renders the "confirm your email" page for the signed-in, unconfirmed account: the address the
 * link went to (a corrected one when the person fixed a typo), resend, correct the address, sign
 * out. `status` is left alone when the caller set one (a 422 of the address form).
 */
export async function renderConfirmPending(req: Request, res: Response, status?: number): Promise<void> {
  const address = await pendingConfirmationAddress(req.user!);
  if (status) res.status(status);
  res.render("auth/confirm-pending", { title: "Confirm your email", address });
}
