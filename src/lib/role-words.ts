import type { OrgRole } from "../policies/organizations";

const LABELS: Record<OrgRole, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const WITH_ARTICLE: Record<OrgRole, string> = { owner: "an owner", admin: "an admin", member: "a member" };
const BADGE_CLASSES: Record<OrgRole, string> = { owner: "badge badge--accent", admin: "badge badge--success", member: "badge" };

/** "Owner", "Admin", "Member": how pages name an organization role (select options, badges). */
export function roleLabel(role: OrgRole): string {
  return LABELS[role];
}

/** "an owner", "an admin", "a member": the role inside a sentence ("invited you … as an admin"). */
export function roleWithArticle(role: OrgRole): string {
  return WITH_ARTICLE[role];
}

/** The classes of a role's badge: owners stand out most, admins less, members are plain. */
export function roleBadgeClass(role: OrgRole): string {
  return BADGE_CLASSES[role];
}
