import type { z } from "zod";
import { displayAccessToken } from "../../../auth/access-token-format";
import type { AccessTokenRow } from "../../../db/access-tokens";
import type { AccessTokenResource, NewAccessTokenResource } from "../schemas";

/** The API view of a token: what identifies it, never its hash. */
export function presentAccessToken(row: AccessTokenRow, now = new Date()): z.infer<typeof AccessTokenResource> {
  return {
    id: row.id,
    description: row.description,
    display: displayAccessToken(row.token_prefix, row.last4),
    prefix: row.token_prefix,
    last4: row.last4,
    created_via: row.created_via,
    cli_client: row.cli_client,
    cli_host: row.cli_host,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
    expires_at: row.expires_at?.toISOString() ?? null,
    expired: row.expires_at !== null && row.expires_at <= now,
  };
}

/** A token just created, with its secret: used for the creation response only. */
export function presentNewAccessToken(row: AccessTokenRow, token: string): z.infer<typeof NewAccessTokenResource> {
  return { ...presentAccessToken(row), token };
}
