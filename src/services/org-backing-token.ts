import type { AppContext } from "../context";
import type { ProviderConfig } from "../config";
import { backingCallbackUrl, configuredBacking } from "../auth/providers/backing-adapters";
import { BackingTokenRejected, type BackingAdapter, type BackingGrant } from "../auth/providers/backing-api";
import { db } from "../db/knex";
import { lockOrganizationBacking, markBackingBroken, updateBackingTokens, type OrganizationBackingRow } from "../db/organization-backings";

/**
 * The stored token of a backing, usable. GitHub's tokens live until revoked; GitLab's and
 * Bitbucket's expire after two hours and are renewed with their refresh token, which the provider
 * replaces at each refresh (the spent one stops working). So a refresh runs with the backing row
 * locked and reads it again: when another process refreshed meanwhile, its new token is used and
 * the spent refresh token is never sent twice. The rules for "broken" (owners must connect again,
 * nobody is removed meanwhile): the provider refused the token (401) and a refresh did not help,
 * the provider refused the refresh token, or the sealed token cannot be opened (SESSION_SECRET
 * changed). A provider that cannot be reached breaks nothing: the error is thrown to the caller.
 */

/** Renew this long before the recorded expiry, so a request never leaves with a token about to die. */
const EXPIRY_MARGIN_MS = 60_000;

/** The sealed columns for a granted token. */
export function sealedGrant(ctx: AppContext, adapter: BackingAdapter, grant: BackingGrant): Pick<OrganizationBackingRow, "token_sealed" | "refresh_token_sealed" | "token_expires_at"> {
  const renewable = Boolean(adapter.refresh && grant.refreshToken);
  return {
    token_sealed: ctx.secretBox.seal(grant.token),
    refresh_token_sealed: renewable ? ctx.secretBox.seal(grant.refreshToken!) : null,
    // Without a way to renew it, an expiry is only the provider's to enforce (it answers 401).
    token_expires_at: renewable ? grant.expiresAt : null,
  };
}

interface Usable {
  adapter: BackingAdapter;
  config: ProviderConfig;
  token: string;
}

/** Refreshes the backing's token under the row lock; the new token, or "broken". */
async function refreshed(ctx: AppContext, adapter: BackingAdapter, config: ProviderConfig, seen: OrganizationBackingRow): Promise<string | "broken"> {
  return db.transaction(async (trx) => {
    const fresh = await lockOrganizationBacking(seen.organization_id, trx);
    if (!fresh || fresh.broken_at || fresh.provider !== adapter.name) return "broken";
    if (fresh.token_sealed !== seen.token_sealed) {
      // Another request renewed it while this one waited for the lock: use what it stored.
      return ctx.secretBox.open(fresh.token_sealed) ?? "broken";
    }
    const refreshToken = fresh.refresh_token_sealed ? ctx.secretBox.open(fresh.refresh_token_sealed) : undefined;
    const grant = refreshToken && adapter.refresh ? await adapter.refresh(config, backingCallbackUrl(ctx.config, adapter.name), refreshToken) : undefined;
    if (!grant) {
      await markBackingBroken(fresh.organization_id, trx);
      return "broken";
    }
    const sealed = {
      token_sealed: ctx.secretBox.seal(grant.token),
      // GitLab and Bitbucket answer a new refresh token; a provider that answers none keeps the one held valid.
      refresh_token_sealed: grant.refreshToken ? ctx.secretBox.seal(grant.refreshToken) : fresh.refresh_token_sealed,
      token_expires_at: grant.expiresAt,
    };
    await updateBackingTokens(fresh.organization_id, sealed, trx);
    Object.assign(seen, sealed);
    return grant.token;
  });
}

/**
 * Runs `call` with the backing's token (renewed first when it is about to expire, and once more
 * when the provider answers 401 to a renewable token). Gives "broken" when the backing is or just
 * became broken; any other failure is thrown.
 */
export async function withBackingToken<T>(ctx: AppContext, backing: OrganizationBackingRow, call: (usable: Usable) => Promise<T>): Promise<T | "broken"> {
  const found = configuredBacking(ctx.config, backing.provider);
  const opened = ctx.secretBox.open(backing.token_sealed);
  if (!found || !opened) {
    // The operator removed the provider's configuration, or SESSION_SECRET changed: only a new connection helps.
    await markBackingBroken(backing.organization_id);
    return "broken";
  }
  const { adapter, config } = found;
  const renewable = Boolean(adapter.refresh && backing.refresh_token_sealed);
  let token: string | "broken" = opened;
  let renewed = false;
  if (renewable && backing.token_expires_at && backing.token_expires_at.getTime() - EXPIRY_MARGIN_MS <= Date.now()) {
    token = await refreshed(ctx, adapter, config, backing);
    renewed = true;
    if (token === "broken") return "broken";
  }
  try {
    return await call({ adapter, config, token });
  } catch (err) {
    if (!(err instanceof BackingTokenRejected)) throw err;
  }
  // A 401 to a token we believed valid (revoked, or expired earlier than it said): one renewal, one retry.
  if (renewable && !renewed) {
    const again = await refreshed(ctx, adapter, config, backing);
    if (again === "broken") return "broken";
    try {
      return await call({ adapter, config, token: again });
    } catch (err) {
      if (!(err instanceof BackingTokenRejected)) throw err;
    }
  }
  await markBackingBroken(backing.organization_id);
  return "broken";
}
