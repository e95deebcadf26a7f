import type { Request, Response } from "express";
import { principalUser } from "../../auth/bearer";
import { presentUser } from "./presenters/user";

/** GET /api/v1/user — the user the token belongs to. */
export function showUser(req: Request, res: Response) {
  res.json({ data: presentUser(principalUser(req)) });
}
