import { z } from "zod";
import type { AppContext } from "../context";
import { db } from "../db/knex";
import { findMembership, insertMembership } from "../db/memberships";
import {
  deleteOrganization as deleteOrganizationRow,
  insertOrganization,
  isHandleTaken,
  lockOrganization,
  updateOrganization as updateOrganizationRow,
  type OrganizationRow,
} from "../db/organizations";
import type { UserRow } from "../db/users";
import { consumeOrThrow } from "./rate-limits";
import { nameSchema } from "../lib/display-text";
import { handleSchema } from "../lib/handles";
import { isUniqueViolation, type FieldErrors } from "../lib/errors";
import { canDeleteOrganization, canUpdateOrganization, type Actor } from "../policies/organizations";
import { forbidden } from "./org-errors";
import { orgEventActor, recordOrgEvent } from "./organization-log";

// An organization's name is shown to strangers (invitation mail subjects, the invitation page), so
// it obeys the same character rule as display names.
const orgNameSchema = nameSchema(64, "Enter a name.");

/** The form that creates an organization, and the API body: display name and URL slug. */
export const OrganizationForm = z.object({ name: orgNameSchema, slug: handleSchema });

/** The settings form: new name and slug. */
export const OrganizationSettingsForm = OrganizationForm;

export type OrgResult = { ok: true; org: OrganizationRow } | { ok: false; errors: FieldErrors };

const SLUG_TAKEN = "That name is taken by a user or an organization. Choose another.";

/**
 * Creates an organization with its creator as the first owner, in one transaction (the database
 * also refuses an organization that ends its creating transaction without an owner). A slug must be
 * free among usernames and slugs: checked here for a clear message, and again by the database
 * triggers for the race between two requests. Limited per account and day: every organization
 * brings its own invitation allowance, so unlimited organizations would mean unlimited mail.
 */
export async function createOrganization(ctx: AppContext, user: UserRow, input: z.infer<typeof OrganizationForm>): Promise<OrgResult> {
  if (await isHandleTaken(input.slug)) return { ok: false, errors: { slug: SLUG_TAKEN } };
  await consumeOrThrow(ctx.limits.orgsPerAccount, String(user.id));
  try {
    const org = await db.transaction(async (trx) => {
      const created = await insertOrganization({ slug: input.slug, name: input.name }, trx);
      await insertMembership({ organization_id: created.id, user_id: user.id, role: "owner" }, trx);
      await recordOrgEvent(created.id, { userId: user.id, name: user.username }, "organization.created", { name: created.name, slug: created.slug }, trx);
      return created;
    });
    return { ok: true, org };
  } catch (err) {
    if (isUniqueViolation(err, "organizations_slug_unique")) return { ok: false, errors: { slug: SLUG_TAKEN } };
    throw err;
  }
}

/** Renames an organization and/or changes its slug (owners only). */
export async function updateOrganization(org: OrganizationRow, actor: Actor | null, input: z.infer<typeof OrganizationSettingsForm>): Promise<OrgResult> {
  if (!canUpdateOrganization(actor)) throw forbidden();
  const slugChanged = input.slug !== org.slug;
  if (slugChanged && input.slug.toLowerCase() !== org.slug.toLowerCase() && (await isHandleTaken(input.slug))) {
    return { ok: false, errors: { slug: SLUG_TAKEN } };
  }
  try {
    const updated = await db.transaction(async (trx) => {
      const row = await updateOrganizationRow(org.id, { name: input.name, slug: input.slug }, trx);
      const changes = { from: { name: org.name, slug: org.slug }, to: { name: row.name, slug: row.slug } };
      await recordOrgEvent(org.id, orgEventActor(actor), "organization.updated", changes, trx);
      return row;
    });
    return { ok: true, org: updated };
  } catch (err) {
    if (isUniqueViolation(err, "organizations_slug_unique")) return { ok: false, errors: { slug: SLUG_TAKEN } };
    throw err;
  }
}

/** The delete form: the slug typed again. */
export const DeleteOrganizationForm = z.object({ confirm_slug: z.string().trim().max(100) });

/**
 * Deletes an organization (owners only) after its slug was typed again, so a slip of the mouse
 * cannot do it. Memberships, teams, invitations and tokens go with it (foreign keys cascade).
 */
export async function deleteOrganization(org: OrganizationRow, actor: Actor | null, confirmSlug: string): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  if (!canDeleteOrganization(actor)) throw forbidden();
  if (confirmSlug.toLowerCase() !== org.slug.toLowerCase()) {
    return { ok: false, errors: { confirm_slug: `Type ${org.slug} to confirm.` } };
  }
  await db.transaction(async (trx) => {
    await lockOrganization(org.id, trx);
    // Checked again under the lock: the actor may have been demoted since the page was loaded.
    if (!canDeleteOrganization((await findMembership(org.id, actor!.user_id, trx)) ?? null)) throw forbidden();
    await deleteOrganizationRow(org.id, trx);
  });
  return { ok: true };
}
