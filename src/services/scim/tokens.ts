import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../../auth/access-token-format";
import { db } from "../../db/knex";
import type { OrganizationRow } from "../../db/organizations";
import { findScimToken, insertScimToken, revokeScimToken, type ScimTokenRow } from "../../db/scim-tokens";
import { notFound } from "../../lib/errors";
import type { OrgActor } from "../../policies/organizations";
import { recordOrgEvent, type OrgEventActor } from "../organization-log";

const logActor = (actor: OrgActor): OrgEventActor => (actor.kind === "user" ? { userId: actor.user_id, name: actor.username } : { userId: null, name: "An organization API token" });

/**
 * Creates a SCIM token for the organization's identity provider (the route allowed owners in
 * person only, after a fresh sign-in: the token can add and remove members). Only its hash is
 * kept; the secret is returned once for the page to show.
 */
export async function createScimToken(org: OrganizationRow, actor: OrgActor): Promise<{ row: ScimTokenRow; token: string }> {
  const generated = generateAccessToken(ACCESS_TOKEN_PREFIXES.scim);
  const row = await db.transaction(async (trx) => {
    const inserted = await insertScimToken(
      { organization_id: org.id, token_hash: generated.hash, token_prefix: generated.prefix, last4: generated.last4, created_by_id: actor.kind === "user" ? actor.user_id : null },
      trx,
    );
    await recordOrgEvent(org.id, logActor(actor), "scim_token.created", { token_id: inserted.id, last4: inserted.last4 }, trx);
    return inserted;
  });
  return { row, token: generated.token };
}

/** Revokes one of the organization's SCIM tokens; another organization's token id is a 404. */
export async function revokeScimTokenOf(org: OrganizationRow, actor: OrgActor, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const token = await findScimToken(org.id, id, trx);
    if (!token || !(await revokeScimToken(org.id, id, trx))) throw notFound("Token");
    await recordOrgEvent(org.id, logActor(actor), "scim_token.revoked", { token_id: id, last4: token.last4 }, trx);
  });
}
