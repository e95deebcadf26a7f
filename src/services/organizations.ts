import type { AppContext } from "../context";
import { db } from "../db/knex";
import { findMembership, insertMembership, listMemberAddresses } from "../db/memberships";
import {
  deleteOrganization as deleteOrganizationRow,
  insertOrganization,
  isHandleTaken,
  lockOrganization,
  updateOrganization as updateOrganizationRow,
  type OrganizationRow,
} from "../db/organizations";
import type { UserRow } from "../db/users";
import { organizationDeletedMail } from "../emails/organization-deleted";
import { consumeOrThrow } from "./rate-limits";
import { forbidden, isUniqueViolation, ValidationError } from "../lib/errors";
import { canDeleteOrganization, type Actor } from "../policies/organizations";
import { orgEventActor, recordOrgEvent } from "./organization-log";

/** An organization's display name and URL slug (validated by the forms' schemas). */
export interface OrganizationInput {
  name: string;
  slug: string;
}

const SLUG_TAKEN = "That name is taken by a user or an organization. Choose another.";

/**
 * Creates an organization with its creator as the first owner, in one transaction (the database
 * also refuses an organization that ends its creating transaction without an owner). A slug must be
 * free among usernames and slugs: checked here for a clear message, and again by the database
 * triggers for the race between two requests. Limited per account and day: every organization
 * brings its own invitation allowance, so unlimited organizations would mean unlimited mail.
 */
export async function createOrganization(ctx: AppContext, user: UserRow, input: OrganizationInput): Promise<OrganizationRow> {
  if (await isHandleTaken(input.slug)) throw new ValidationError({ slug: SLUG_TAKEN });
  await consumeOrThrow(ctx.limits.orgsPerAccount, String(user.id));
  try {
    const org = await db.transaction(async (trx) => {
      const created = await insertOrganization({ slug: input.slug, name: input.name }, trx);
      await insertMembership({ organization_id: created.id, user_id: user.id, role: "owner" }, trx);
      await recordOrgEvent(created.id, { userId: user.id, name: user.username }, "organization.created", { name: created.name, slug: created.slug }, trx);
      return created;
    });
    return org;
  } catch (err) {
    if (isUniqueViolation(err, "organizations_slug_unique")) throw new ValidationError({ slug: SLUG_TAKEN });
    throw err;
  }
}

/** Renames an organization and/or changes its slug (the route authorized owners only). */
export async function updateOrganization(org: OrganizationRow, actor: Actor, input: OrganizationInput): Promise<OrganizationRow> {
  const slugChanged = input.slug !== org.slug;
  if (slugChanged && input.slug.toLowerCase() !== org.slug.toLowerCase() && (await isHandleTaken(input.slug))) {
    throw new ValidationError({ slug: SLUG_TAKEN });
  }
  try {
    return await db.transaction(async (trx) => {
      const row = await updateOrganizationRow(org.id, { name: input.name, slug: input.slug }, trx);
      const changes = { from: { name: org.name, slug: org.slug }, to: { name: row.name, slug: row.slug } };
      await recordOrgEvent(org.id, orgEventActor(actor), "organization.updated", changes, trx);
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err, "organizations_slug_unique")) throw new ValidationError({ slug: SLUG_TAKEN });
    throw err;
  }
}

/**
 * Deletes an organization (the route authorized owners only, after a fresh sign-in) once its slug
 * was typed again exactly, so a slip of the mouse or a half-read page cannot do it. Memberships,
 * teams, invitations and tokens go with it (foreign keys cascade). Every member, the one deleting
 * included, is mailed: losing an organization is not a notification one opts out of, and the mail
 * is queued in the deleting transaction, so it goes out only if the deletion happened.
 */
export async function deleteOrganization(ctx: AppContext, org: OrganizationRow, actor: Actor & { username: string }, confirmSlug: string): Promise<void> {
  if (confirmSlug !== org.slug) {
    throw new ValidationError({ confirm_slug: `Type ${org.slug} to confirm.` });
  }
  await db.transaction(async (trx) => {
    await lockOrganization(org.id, trx);
    // Checked again under the lock: the actor may have been demoted since the page was loaded.
    if (!canDeleteOrganization((await findMembership(org.id, actor.user_id, trx)) ?? null)) throw forbidden();
    const members = await listMemberAddresses(org.id, {}, trx);
    await deleteOrganizationRow(org.id, trx);
    await ctx.mail.queueAll(members.map((m) => organizationDeletedMail({ userId: m.user_id, to: m.email, recipient: m.username, orgName: org.name, orgSlug: org.slug, actor: actor.username })), trx);
  });
}
