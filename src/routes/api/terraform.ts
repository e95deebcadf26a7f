import type { Request, Response } from "express";
import { principalUser } from "../../http/bearer";
import type { AccountDetailsResponse } from "./schemas";
import type { z } from "zod";

/**
 * The two HCP Terraform API v2 endpoints that CLIs and tools call to check a token after
 * `terraform login`. Both sit behind the same bearer check as /api/v1.
 */

/** GET /api/v2/ping — 204 when the token is good (the bearer check already answered 401 otherwise). */
export function ping(_req: Request, res: Response) {
  res.status(204).end();
}

/** GET /api/v2/account/details — the token's user as a JSON:API document, as Terraform's clients expect. */
export function accountDetails(req: Request, res: Response) {
  const user = principalUser(req);
  const body: z.infer<typeof AccountDetailsResponse> = {
    data: {
      id: `user-${user.id}`,
      type: "users",
      attributes: {
        username: user.username,
        email: user.email,
        "display-name": user.display_name,
        "is-service-account": false,
        "avatar-url": null,
      },
    },
  };
  res.type("application/vnd.api+json").json(body);
}
