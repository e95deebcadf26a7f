import { Router } from "express";
import type { createPassport } from "../../auth/passport";
import type { AppContext } from "../../context";
import { limitByIp } from "../../http/rate-limits";
import { requireConfirmed, requireUser } from "../../http/require-user";
import { showHome } from "./home";
import { LoginForm, showLogin, submitLogin, submitLogout } from "./login";
import { showSignup, signupForm, submitSignup } from "./signup";
import { showConfirmEmail, submitConfirmEmail, submitResendConfirmation } from "./email-confirm";
import { ForgotForm, resetForm, showForgot, showReset, submitForgot, submitReset } from "./password-reset";
import { ProfileForm, showProfileSettings, submitProfileSettings } from "./settings/profile";
import {
  DeleteAccountForm, EmailChangeForm, showAccountSettings, submitCancelEmailChange, submitDataExport, submitDeleteAccount, submitEmailChange, submitUsernameChange,
  UsernameForm,
} from "./settings/account";
import { showPublicProfile } from "./public-profile";
import { passwordForm, showPasswordSettings, submitPasswordSettings } from "./settings/password";
import { showSessionsSettings, submitRevokeOtherSessions, submitRevokeSession } from "./settings/sessions";
import { NOTIFICATIONS_UNREADABLE, NotificationsForm, showNotificationSettings, submitNotificationSettings } from "./settings/notifications";
import { showTokens, submitCreateToken, showRevokeToken, submitRevokeToken, TokenForm } from "./settings/tokens";
import { showCliLogin, startCliAuthorization, submitCliLogin } from "./cli-login";
import * as orgs from "./orgs";
import { showInvitation, submitAcceptInvitation, submitDeclineInvitation, submitSwitchAccount } from "./invitations";
import { showOrganizationSettings } from "./settings/organizations";
import { authorize, loadOrg, loadTeam } from "../../http/load-org";
import { validate } from "../../http/validate";
import * as can from "../../policies/organizations";
import { handleProviderCallback, ProviderEmailForm, showProviderEmail, showProviderStart, startProviderAuth, submitProviderEmail } from "./external-auth";
import { showIdentitySettings, showUnlinkIdentity, submitUnlinkIdentity } from "./settings/identities";

/**
 * The web route map: every page and form of the app on one screen, each with its steps in order:
 * authenticate (requireUser, requireConfirmed) -> rate limit (limitByIp) -> validate (the form's
 * schema, beside its handler, and the page that shows the form again with 422) -> load (loadOrg,
 * loadTeam) -> authorize (an organization policy) -> handler.
 */
export function webRoutes(ctx: AppContext, passport: ReturnType<typeof createPassport>): Router {
  const r = Router();
  const { limits } = ctx;
  const { passwordMinLength } = ctx.config;

  r.get("/", showHome);

  // Password accounts
  r.get("/signup", showSignup);
  r.post("/signup", limitByIp(limits.signupPerIp), validate(signupForm(passwordMinLength), showSignup), submitSignup(ctx));
  r.get("/login", showLogin);
  r.post("/login", limitByIp(limits.loginPerIp), validate(LoginForm, showLogin), submitLogin(passport));
  r.post("/logout", submitLogout);
  r.get("/email/confirm/:token", showConfirmEmail);
  r.post("/email/confirm/:token", submitConfirmEmail);
  r.post("/email/resend", requireUser, submitResendConfirmation(ctx));
  r.get("/password/forgot", showForgot);
  r.post("/password/forgot", validate(ForgotForm, showForgot), submitForgot(ctx));
  r.get("/password/reset/:token", showReset);
  r.post("/password/reset/:token", validate(resetForm(passwordMinLength), showReset), submitReset(ctx));

  // Settings: profile, account, password, sessions, notifications
  r.get("/settings", requireConfirmed, (_req, res) => res.redirect("/settings/profile"));
  r.get("/settings/profile", requireConfirmed, showProfileSettings);
  r.post("/settings/profile", requireConfirmed, validate(ProfileForm, showProfileSettings), submitProfileSettings);
  r.get("/u/:username", showPublicProfile);
  r.get("/settings/account", requireConfirmed, showAccountSettings);
  r.post("/settings/account/username", requireConfirmed, validate(UsernameForm, showAccountSettings), submitUsernameChange);
  r.post("/settings/account/email", requireConfirmed, validate(EmailChangeForm, showAccountSettings), submitEmailChange(ctx));
  r.post("/settings/account/email/cancel", requireConfirmed, submitCancelEmailChange);
  r.post("/settings/account/export", requireConfirmed, submitDataExport(ctx));
  r.post("/settings/account/delete", requireConfirmed, validate(DeleteAccountForm, showAccountSettings), submitDeleteAccount(ctx));
  r.get("/settings/password", requireConfirmed, showPasswordSettings);
  r.post("/settings/password", requireConfirmed, validate(passwordForm(passwordMinLength), showPasswordSettings), submitPasswordSettings(ctx));
  r.get("/settings/sessions", requireConfirmed, showSessionsSettings);
  r.post("/settings/sessions/revoke-others", requireConfirmed, submitRevokeOtherSessions);
  r.post("/settings/sessions/:id/revoke", requireConfirmed, submitRevokeSession);
  r.get("/settings/notifications", requireConfirmed, showNotificationSettings);
  r.post("/settings/notifications", requireConfirmed, validate(NotificationsForm, { page: showNotificationSettings, summary: NOTIFICATIONS_UNREADABLE }), submitNotificationSettings);

  // External identities
  r.get("/auth/:provider", showProviderStart(ctx));
  r.post("/auth/:provider", limitByIp(limits.loginPerIp), startProviderAuth(ctx, passport));
  r.get("/auth/:provider/callback", handleProviderCallback(ctx, passport));
  r.get("/auth/:provider/email", showProviderEmail(ctx));
  r.post("/auth/:provider/email", validate(ProviderEmailForm, showProviderEmail(ctx)), submitProviderEmail(ctx));
  r.get("/settings/identities", requireConfirmed, showIdentitySettings(ctx));
  r.get("/settings/identities/:id/delete", requireConfirmed, showUnlinkIdentity);
  r.post("/settings/identities/:id/delete", requireConfirmed, submitUnlinkIdentity(ctx));

  // Access tokens and CLI sign-in
  r.get("/settings/tokens", requireConfirmed, showTokens);
  r.post("/settings/tokens", requireConfirmed, validate(TokenForm, showTokens), submitCreateToken(ctx));
  r.get("/settings/tokens/:id/revoke", requireConfirmed, showRevokeToken);
  r.post("/settings/tokens/:id/revoke", requireConfirmed, submitRevokeToken);
  r.get("/oauth/authorization", startCliAuthorization);
  r.get("/cli/login", requireConfirmed, showCliLogin);
  r.post("/cli/login", requireConfirmed, submitCliLogin(ctx));

  // Organizations, teams, invitations. loadOrg answers 404 to anyone who is not a member;
  // authorize answers 403 to members without the role. A form here is validated after both: its
  // 422 shows the organization's page again, which only a member allowed to use the form may see.
  const member = [requireConfirmed, loadOrg];
  const teamOf = [requireConfirmed, loadOrg, loadTeam];
  r.get("/settings/organizations", requireConfirmed, showOrganizationSettings);
  r.get("/orgs/new", requireConfirmed, orgs.showNewOrganization);
  r.post("/orgs/new", requireConfirmed, validate(orgs.OrganizationForm, orgs.showNewOrganization), orgs.submitNewOrganization(ctx));
  r.get("/orgs/:org", member, authorize(can.canViewOrganization), orgs.showOrganization);
  r.get("/orgs/:org/leave", member, authorize(can.canLeaveOrganization), orgs.showLeave);
  r.post("/orgs/:org/leave", member, authorize(can.canLeaveOrganization), orgs.submitLeave);
  r.get("/orgs/:org/members", member, authorize(can.canViewOrganization), orgs.showMembers);
  r.post("/orgs/:org/members/:id/role", member, authorize(can.canManageMembers), validate(orgs.RoleForm, { back: orgs.membersPage }), orgs.submitRoleChange(ctx));
  r.get("/orgs/:org/members/:id/remove", member, authorize(can.canManageMembers), orgs.showRemoveMember);
  r.post("/orgs/:org/members/:id/remove", member, authorize(can.canManageMembers), orgs.submitRemoveMember(ctx));
  r.get("/orgs/:org/teams", member, authorize(can.canViewTeams), orgs.showTeams);
  r.post("/orgs/:org/teams", member, authorize(can.canManageTeams), validate(orgs.TeamForm, orgs.showTeams), orgs.submitCreateTeam);
  r.get("/orgs/:org/teams/:team", teamOf, authorize(can.canViewTeams), orgs.showTeam);
  r.post("/orgs/:org/teams/:team/rename", teamOf, authorize(can.canManageTeams), validate(orgs.TeamForm, orgs.showTeam), orgs.submitRenameTeam);
  r.get("/orgs/:org/teams/:team/delete", teamOf, authorize(can.canManageTeams), orgs.showDeleteTeam);
  r.post("/orgs/:org/teams/:team/delete", teamOf, authorize(can.canManageTeams), orgs.submitDeleteTeam);
  r.post("/orgs/:org/teams/:team/members", teamOf, authorize(can.canManageTeamMembers), validate(orgs.TeamMemberForm, orgs.showTeam), orgs.submitAddTeamMember);
  r.post("/orgs/:org/teams/:team/members/:user/remove", teamOf, authorize(can.canManageTeamMembers), orgs.submitRemoveTeamMember);
  r.post("/orgs/:org/teams/:team/members/:user/maintainer", teamOf, authorize(can.canManageTeams), validate(orgs.MaintainerForm, { back: orgs.teamPage }), orgs.submitMaintainer);
  r.get("/orgs/:org/invitations", member, authorize(can.canManageInvitations), orgs.showInvitations);
  r.post("/orgs/:org/invitations", member, authorize(can.canManageInvitations), validate(orgs.InvitationForm, orgs.showInvitations), orgs.submitInvitation(ctx));
  r.post("/orgs/:org/invitations/:id/resend", member, authorize(can.canManageInvitations), orgs.submitResendInvitation(ctx));
  r.get("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.showRevokeInvitation);
  r.post("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.submitRevokeInvitation);
  r.get("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), orgs.showOrgSettings);
  r.post("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), validate(orgs.OrganizationForm, orgs.showOrgSettings), orgs.submitOrgSettings);
  r.post("/orgs/:org/delete", member, authorize(can.canDeleteOrganization), validate(orgs.DeleteOrganizationForm, { page: orgs.showOrgSettings, errorsLocal: "deleteErrors", valuesLocal: "deleteValues" }), orgs.submitDeleteOrganization);
  r.get("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), orgs.showOrgTokens);
  r.post("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), validate(orgs.OrgTokenForm, orgs.showOrgTokens), orgs.submitOrgToken);
  r.get("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.showRevokeOrgToken);
  r.post("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.submitRevokeOrgToken);
  r.get("/invitations/:token", showInvitation);
  r.post("/invitations/:token/accept", requireUser, submitAcceptInvitation(ctx));
  r.post("/invitations/:token/decline", requireUser, submitDeclineInvitation);
  r.post("/invitations/:token/switch", submitSwitchAccount);

  return r;
}
