import { db, type Executor } from "./knex";

/** Replaces the user's recovery codes with the given hashes (the old set stops working). */
export async function replaceRecoveryCodesForUser(userId: number, hashes: Buffer[], q: Executor = db): Promise<void> {
  await q("recovery_codes").where({ user_id: userId }).delete();
  await q("recovery_codes").insert(hashes.map((code_hash) => ({ user_id: userId, code_hash })));
}

/**
 * Marks the user's unused code with this hash as used; true when it was unused. One conditional
 * UPDATE, so of two requests with the same code at the same moment exactly one wins.
 */
export async function useRecoveryCodeForUser(userId: number, hash: Buffer, q: Executor = db): Promise<boolean> {
  const updated = await q("recovery_codes").where({ user_id: userId, code_hash: hash }).whereNull("used_at").update({ used_at: q.fn.now() });
  return updated === 1;
}

/** How many unused recovery codes the user has. */
export async function countUnusedRecoveryCodesForUser(userId: number, q: Executor = db): Promise<number> {
  const row = await q("recovery_codes").where({ user_id: userId }).whereNull("used_at").count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** Deletes every recovery code of the user (two-factor turned off). */
export async function deleteRecoveryCodesForUser(userId: number, q: Executor = db): Promise<void> {
  await q("recovery_codes").where({ user_id: userId }).delete();
}
