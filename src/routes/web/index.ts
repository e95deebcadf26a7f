import { Router } from "express";
import type { createPassport } from "../../auth/passport";
import type { AppContext } from "../../context";
import { limitByIp } from "../../http/rate-limits";
import { requireConfirmed, requireUser } from "../../http/require-user";
import { showHome } from "./home";
import { showLogin, submitLogin, submitLogout } from "./login";
import { showSignup, submitSignup } from "./signup";
import { showConfirmEmail, submitConfirmEmail, submitResendConfirmation } from "./email-confirm";
import { showForgot, showReset, submitForgot, submitReset } from "./password-reset";
import { showProfileSettings, submitProfileSettings } from "./settings/profile";
import {
  showAccountSettings, submitCancelEmailChange, submitDataExport, submitDeleteAccount, submitEmailChange, submitUsernameChange,
} from "./settings/account";
import { showPublicProfile } from "./public-profile";
import { showPasswordSettings, submitPasswordSettings } from "./settings/password";
import { showSessionsSettings, submitRevokeOtherSessions, submitRevokeSession } from "./settings/sessions";
import { showNotificationSettings, submitNotificationSettings } from "./settings/notifications";

import { showTokens, submitCreateToken, showRevokeToken, submitRevokeToken } from "./settings/tokens";
import { showCliLogin, startCliAuthorization, submitCliLogin } from "./cli-login";
import * as orgs from "./orgs";
import { showInvitation, submitAcceptInvitation, submitDeclineInvitation, submitSwitchAccount } from "./invitations";
import { showOrganizationSettings } from "./settings/organizations";
import { authorize, loadOrg } from "../../http/load-org";
import * as can from "../../policies/organizations";
import { handleProviderCallback, showProviderEmail, showProviderStart, startProviderAuth, submitProviderEmail } from "./external-auth";
import { showIdentitySettings, showUnlinkIdentity, submitUnlinkIdentity } from "./settings/identities";
import * as passkeys from "./settings/passkeys";
import { submitPasskeyLogin, submitPasskeyLoginOptions } from "./passkey-login";
import { showSecurityLog } from "./settings/security-log";
import { showOrgAuditLog } from "./orgs/audit-log";
/** The web route map: every page and form of the app on one screen. */
export function webRoutes(ctx: AppContext, passport: ReturnType<typeof createPassport>): Router {
  const r = Router();
  const { limits } = ctx;

  r.get("/", showHome);

  // Password accounts
  r.get("/signup", showSignup);
  r.post("/signup", limitByIp(limits.signupPerIp), submitSignup(ctx));
  r.get("/login", showLogin);
  r.post("/login", limitByIp(limits.loginPerIp), submitLogin(passport));
  r.post("/logout", submitLogout);
  r.get("/email/confirm/:token", showConfirmEmail);
  r.post("/email/confirm/:token", submitConfirmEmail);
  r.post("/email/resend", requireUser, submitResendConfirmation(ctx));
  r.get("/password/forgot", showForgot);
  r.post("/password/forgot", submitForgot(ctx));
  r.get("/password/reset/:token", showReset);
  r.post("/password/reset/:token", submitReset(ctx));

  // Settings: profile, account, password, sessions, notifications
  r.get("/settings", requireConfirmed, (_req, res) => res.redirect("/settings/profile"));
  r.get("/settings/profile", requireConfirmed, showProfileSettings);
  r.post("/settings/profile", requireConfirmed, submitProfileSettings);
  r.get("/u/:username", showPublicProfile);
  r.get("/settings/account", requireConfirmed, showAccountSettings);
  r.post("/settings/account/username", requireConfirmed, submitUsernameChange);
  r.post("/settings/account/email", requireConfirmed, submitEmailChange(ctx));
  r.post("/settings/account/email/cancel", requireConfirmed, submitCancelEmailChange);
  r.post("/settings/account/export", requireConfirmed, submitDataExport(ctx));
  r.post("/settings/account/delete", requireConfirmed, submitDeleteAccount(ctx));
  r.get("/settings/password", requireConfirmed, showPasswordSettings);
  r.post("/settings/password", requireConfirmed, submitPasswordSettings(ctx));
  r.get("/settings/sessions", requireConfirmed, showSessionsSettings);
  r.post("/settings/sessions/revoke-others", requireConfirmed, submitRevokeOtherSessions);
  r.post("/settings/sessions/:id/revoke", requireConfirmed, submitRevokeSession);
  r.get("/settings/notifications", requireConfirmed, showNotificationSettings);
  r.post("/settings/notifications", requireConfirmed, submitNotificationSettings);

  // External identities
  r.get("/auth/:provider", showProviderStart(ctx));
  r.post("/auth/:provider", limitByIp(limits.loginPerIp), startProviderAuth(ctx, passport));
  r.get("/auth/:provider/callback", handleProviderCallback(ctx, passport));
  r.get("/auth/:provider/email", showProviderEmail(ctx));
  r.post("/auth/:provider/email", submitProviderEmail(ctx));
  r.get("/settings/identities", requireConfirmed, showIdentitySettings(ctx));
  r.get("/settings/identities/:id/delete", requireConfirmed, showUnlinkIdentity);
  r.post("/settings/identities/:id/delete", requireConfirmed, submitUnlinkIdentity(ctx));

  // Passkeys: managed in settings; sign-in without a username from the sign-in page
  r.get("/settings/passkeys", requireConfirmed, passkeys.showPasskeySettings);
  r.post("/settings/passkeys/options", requireConfirmed, passkeys.submitPasskeyRegistrationOptions);
  r.post("/settings/passkeys", requireConfirmed, passkeys.submitAddPasskey);
  r.get("/settings/passkeys/:id/rename", requireConfirmed, passkeys.showRenamePasskey);
  r.post("/settings/passkeys/:id/rename", requireConfirmed, passkeys.submitRenamePasskey);
  r.get("/settings/passkeys/:id/delete", requireConfirmed, passkeys.showRemovePasskey);
  r.post("/settings/passkeys/:id/delete", requireConfirmed, passkeys.submitRemovePasskey);
  r.post("/login/passkey/options", submitPasskeyLoginOptions);
  r.post("/login/passkey", limitByIp(limits.loginPerIp), submitPasskeyLogin);

  // Security logs: the user's own, and an organization's for its owners and admins
  r.get("/settings/security/log", requireConfirmed, showSecurityLog);

  // Access tokens and CLI sign-in
  r.get("/settings/tokens", requireConfirmed, showTokens);
  r.post("/settings/tokens", requireConfirmed, submitCreateToken(ctx));
  r.get("/settings/tokens/:id/revoke", requireConfirmed, showRevokeToken);
  r.post("/settings/tokens/:id/revoke", requireConfirmed, submitRevokeToken);
  r.get("/oauth/authorization", startCliAuthorization);
  r.get("/cli/login", requireConfirmed, showCliLogin);
  r.post("/cli/login", requireConfirmed, submitCliLogin(ctx));

  // Organizations, teams, invitations
  // loadOrg answers 404 to anyone who is not a member; authorize answers 403 to members without the role.
  const member = [requireConfirmed, loadOrg];
  r.get("/settings/organizations", requireConfirmed, showOrganizationSettings);
  r.get("/orgs/new", requireConfirmed, orgs.showNewOrganization);
  r.post("/orgs/new", requireConfirmed, orgs.submitNewOrganization(ctx));
  r.get("/orgs/:org", member, orgs.showOrganization);
  r.get("/orgs/:org/leave", member, orgs.showLeave);
  r.post("/orgs/:org/leave", member, orgs.submitLeave);
  r.get("/orgs/:org/members", member, orgs.showMembers);
  r.post("/orgs/:org/members/:id/role", member, authorize(can.canManageMembers), orgs.submitRoleChange(ctx));
  r.get("/orgs/:org/members/:id/remove", member, authorize(can.canManageMembers), orgs.showRemoveMember);
  r.post("/orgs/:org/members/:id/remove", member, authorize(can.canManageMembers), orgs.submitRemoveMember(ctx));
  r.get("/orgs/:org/teams", member, orgs.showTeams);
  r.post("/orgs/:org/teams", member, authorize(can.canManageTeams), orgs.submitCreateTeam);
  r.get("/orgs/:org/teams/:team", member, orgs.showTeam);
  r.post("/orgs/:org/teams/:team/rename", member, authorize(can.canManageTeams), orgs.submitRenameTeam);
  r.get("/orgs/:org/teams/:team/delete", member, authorize(can.canManageTeams), orgs.showDeleteTeam);
  r.post("/orgs/:org/teams/:team/delete", member, authorize(can.canManageTeams), orgs.submitDeleteTeam);
  r.post("/orgs/:org/teams/:team/members", member, orgs.submitAddTeamMember);
  r.post("/orgs/:org/teams/:team/members/:user/remove", member, orgs.submitRemoveTeamMember);
  r.post("/orgs/:org/teams/:team/members/:user/maintainer", member, authorize(can.canManageTeams), orgs.submitMaintainer);
  r.get("/orgs/:org/invitations", member, authorize(can.canManageInvitations), orgs.showInvitations);
  r.post("/orgs/:org/invitations", member, authorize(can.canManageInvitations), orgs.submitInvitation(ctx));
  r.post("/orgs/:org/invitations/:id/resend", member, authorize(can.canManageInvitations), orgs.submitResendInvitation(ctx));
  r.get("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.showRevokeInvitation);
  r.post("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.submitRevokeInvitation);
  r.get("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), orgs.showOrgSettings);
  r.post("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), orgs.submitOrgSettings);
  r.post("/orgs/:org/delete", member, authorize(can.canDeleteOrganization), orgs.submitDeleteOrganization);
  r.get("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), orgs.showOrgTokens);
  r.post("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), orgs.submitOrgToken);
  r.get("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.showRevokeOrgToken);
  r.post("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.submitRevokeOrgToken);
  r.get("/orgs/:org/audit", member, authorize(can.canViewAuditLog), showOrgAuditLog);
  r.get("/invitations/:token", showInvitation);
  r.post("/invitations/:token/accept", requireUser, submitAcceptInvitation(ctx));
  r.post("/invitations/:token/decline", requireUser, submitDeclineInvitation);
  r.post("/invitations/:token/switch", submitSwitchAccount);

  return r;
}
