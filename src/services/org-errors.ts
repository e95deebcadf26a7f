import { lastOwner } from "../lib/errors";

/** True for the database's own last-owner check (the deferred trigger on memberships). */
export function isLastOwnerViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === "23514" && e.constraint === "organizations_keep_an_owner";
}

/** Runs `work`, turning the database's last-owner refusal into the catalogue's last-owner conflict. */
export async function guardLastOwner<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isLastOwnerViolation(err)) throw lastOwner();
    throw err;
  }
}

/** Why an account cannot be deleted while it is the last owner of these organizations. */
export function lastOwnerDeletionMessage(orgs: { name: string }[]): string {
  const names = orgs.map((o) => o.name).join(", ");
  return `You are the last owner of ${names}. Make someone else an owner (or delete the organization) before you delete your account.`;
}
