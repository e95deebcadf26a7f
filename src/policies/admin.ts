/**
 * Who may administer the instance. Pure functions of the account (and, for the API, the token):
 * tested as a table in test/policies/admin.test.ts.
 *
 * Site admin is a flag of its own, not an organization role: owning any number of organizations
 * gives no reach into other accounts. The admin must be signed in as themselves in full: a
 * confirmed address (as every signed-in page asks) and not suspended (a suspended account has no
 * session or token anyway; checked again here so the rule holds on its own).
 */

/** The part of an account the admin policies look at. */
export interface AdminCandidate {
  is_site_admin: boolean;
  email_confirmed_at: Date | null;
  suspended_at: Date | null;
}

/** The part of a token the admin API policy looks at. */
export interface AdminTokenCandidate {
  admin: boolean;
}

/** May this account use the admin pages? */
export function canAdministerSite(user: AdminCandidate | undefined | null): boolean {
  return !!user && user.is_site_admin && user.email_confirmed_at !== null && user.suspended_at === null;
}

/**
 * May this token use the admin API? Its owner must be a site admin now, and the token must have
 * been made for admin use: an everyday token of an admin's (a CI job's) never reaches these endpoints.
 */
export function canUseAdminApi(user: AdminCandidate | undefined | null, token: AdminTokenCandidate): boolean {
  return canAdministerSite(user) && token.admin;
}

/** May this account make tokens for admin use? Only site admins are offered the choice. */
export function canCreateAdminToken(user: AdminCandidate | undefined | null): boolean {
  return canAdministerSite(user);
}
