import { HttpError } from "../lib/errors";

/** A rule of the organization refused the change (last owner, role, state); 409 with a message for people. */
export class OrgRuleError extends HttpError {
  constructor(message: string, code = "conflict") {
    super(409, message, code);
  }
}

/** The message people see when a change would leave an organization without an owner. */
export const LAST_OWNER_MESSAGE = "An organization needs at least one owner. Make someone else an owner first.";

/** True for the database's own last-owner check (the deferred trigger on memberships). */
export function isLastOwnerViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === "23514" && e.constraint === "organizations_keep_an_owner";
}

/** Runs `work`, turning the database's last-owner refusal into an OrgRuleError with the usual message. */
export async function guardLastOwner<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isLastOwnerViolation(err)) throw new OrgRuleError(LAST_OWNER_MESSAGE, "last_owner");
    throw err;
  }
}

/** 403 for an organization token that tried to make, change, remove or invite an owner (a person's decision only). */
export const ownersInPerson = () =>
  new HttpError(403, "Only an owner, signed in as a person, can make, change, remove or invite owners; an organization token cannot.", "owners_in_person");

/** 403 for a member whose role does not allow the action. */
export const forbidden = () => new HttpError(403, "Your role in this organization does not allow that.");

/** Why an account cannot be deleted while it is the last owner of these organizations. */
export function lastOwnerDeletionMessage(orgs: { name: string }[]): string {
  const names = orgs.map((o) => o.name).join(", ");
  return `You are the last owner of ${names}. Make someone else an owner (or delete the organization) before you delete your account.`;
}
