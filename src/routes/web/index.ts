import { Router, type Request } from "express";
import type { createPassport } from "../../http/passport";
import type { AppContext } from "../../context";
import { limitByIp } from "../../http/rate-limits";
import { requireConfirmed, requireUser } from "../../http/require-user";
import { showHome } from "./home";
import { LoginForm, LogoutForm, showLogin, submitLogin, submitLogout } from "./login";
import { SwitchAccountForm, submitAddAccount, submitAccountSwitch } from "./accounts";
import { showSignup, signupForm, submitSignup } from "./signup";
import { AddressForm, showConfirmEmail, submitConfirmEmail, submitCorrectAddress, submitResendConfirmation } from "./email-confirm";
import { renderConfirmPending } from "../../http/confirm-pending";
import { ForgotForm, resetForm, showForgot, showReset, submitForgot, submitReset } from "./password-reset";
import { NotMeForm, showNotMe, submitNotMe } from "./not-me";
import { ProfileForm, showProfileSettings, submitProfileSettings } from "./settings/profile";
import {
  DeleteAccountForm, EmailChangeForm, showAccountSettings, submitCancelEmailChange, submitDataExport, submitDeleteAccount, submitEmailChange, submitUsernameChange,
  UsernameForm,
} from "./settings/account";
import { showPublicProfile } from "./public-profile";
import { showWelcome, submitSkipWelcome, submitWelcome, WelcomeForm } from "./welcome";
import { passwordForm, showPasswordSettings, submitPasswordSettings } from "./settings/password";
import { showSessionsSettings, submitRevokeOtherSessions, submitRevokeSession } from "./settings/sessions";
import { NOTIFICATIONS_UNREADABLE, NotificationsForm, showNotificationSettings, submitNotificationSettings } from "./settings/notifications";
import { showTokens, submitCreateToken, showRevokeToken, submitRevokeToken, TokenForm } from "./settings/tokens";
import { CliConsentForm, showCliLogin, startCliAuthorization, submitCliLogin } from "./cli-login";
import * as orgs from "./orgs";
import { showInvitation, showReceivedInvitation, submitAcceptInvitation, submitAnswerReceivedInvitation, submitDeclineInvitation, submitSwitchAccount } from "./invitations";
import { showOrganizationSettings } from "./settings/organizations";
import { authorize, loadOrg, loadOrgSwitcher, loadTeam } from "../../http/load-org";
import { validate } from "../../http/validate";
import * as can from "../../policies/organizations";
import { handleProviderCallback, ProviderEmailForm, showProviderEmail, showProviderStart, startProviderAuth, submitProviderEmail } from "./external-auth";
import { showIdentitySettings, showUnlinkIdentity, submitUnlinkIdentity } from "./settings/identities";
import * as admin from "./admin";
import { requireSiteAdmin } from "../../http/require-site-admin";
import { requireRecentAuth } from "../../http/recent-auth";
import { CodeForm, showTwoFactorLogin, submitCancelTwoFactorLogin, submitTwoFactorLogin } from "./two-factor-login";
import { SecondStepPasskeyForm, submitTwoFactorPasskey, submitTwoFactorPasskeyOptions } from "./two-factor-passkey";
import { ReauthForm, showReauthenticate, submitReauthenticate } from "./reauthenticate";
import * as security from "./settings/security";
import { noteOrgTwoFactor, requireOrgTwoFactor } from "../../http/org-two-factor";
import { requireOrgSso } from "../../http/org-sso";
import { loadTwoFactorPolicy, submitTwoFactorPolicy } from "./orgs/two-factor-policy";
import * as passkeys from "./settings/passkeys";
import { PasskeyLoginForm, submitPasskeyLogin, submitPasskeyLoginOptions } from "./passkey-login";
import { spendChallenge } from "../../http/webauthn-challenges";
import { spendSignInChallenge } from "../../http/sign-in-challenge";
import { showSecurityLog } from "./settings/security-log";
import { showOrgAuditLog } from "./orgs/audit-log";
import * as backing from "./orgs/backing";
import * as domains from "./orgs/domains";
import { showJoinRequests, submitDecideJoinRequest, submitJoinRequest } from "./orgs/join-requests";
import { showWelcomeOrganization } from "./welcome-organization";
import * as sso from "./sso-login";
import * as orgSso from "./orgs/sso";
import { loadSsoSettings } from "./orgs/sso";

/**
 * The web route map: every page and form of the app on one screen, each with its steps in order:
 * authenticate (requireUser, requireConfirmed) -> rate limit (limitByIp) -> validate (the form's
 * schema, beside its handler, and the page that shows the form again with 422) -> load (loadOrg,
 * loadTeam) -> authorize (an organization policy) -> handler. A passkey answer's route spends its
 * WebAuthn challenge (spendChallenge) just before validation, so even a malformed answer uses it up.
 */
export function webRoutes(ctx: AppContext, passport: ReturnType<typeof createPassport>): Router {
  const r = Router();
  const { limits } = ctx;
  // The minimum password length is an instance setting an admin can change: read per request.
  const minLength = () => ctx.settings.current().passwordMinLength;
  // Sensitive actions need a fresh proof of identity (10 minutes; src/http/recent-auth.ts): `sudo`
  // sends the browser to /settings/reauthenticate and back to the page named; `sudo2` asks for
  // the second factor itself. It runs after authentication and before validation, so a stale
  // session learns nothing from the form's answers.
  const sudo = (returnTo: string | ((req: Request) => string)) => requireRecentAuth({ returnTo });
  const sudo2 = requireRecentAuth({ returnTo: "/settings/security", secondFactor: true });

  r.get("/", showHome);

  // Password accounts
  r.get("/signup", showSignup(ctx));
  r.post("/signup", limitByIp(limits.signupPerIp), validate(() => signupForm(minLength()), showSignup(ctx)), submitSignup(ctx));
  r.get("/login", showLogin);
  r.post("/login", limitByIp(limits.loginPerIp), validate(LoginForm, showLogin), submitLogin(passport));
  r.post("/logout", validate(LogoutForm, { back: () => "/" }), submitLogout);
  // Several accounts in one browser (src/http/browser-accounts.ts). Switching needs no signed-in
  // account: a browser adding one, or whose account in use ended, goes back to another it holds.
  r.post("/accounts/add", requireUser, submitAddAccount);
  r.post("/accounts/switch", validate(SwitchAccountForm, { back: () => "/" }), submitAccountSwitch);
  r.get("/email/confirm/:token", showConfirmEmail);
  r.post("/email/confirm/:token", submitConfirmEmail);
  r.post("/email/resend", requireUser, submitResendConfirmation(ctx));
  r.post("/email/address", requireUser, limitByIp(limits.emailPerIp), validate(AddressForm, renderConfirmPending), submitCorrectAddress(ctx));
  r.get("/password/forgot", showForgot);
  r.post("/password/forgot", validate(ForgotForm, showForgot), submitForgot(ctx));
  r.get("/password/reset/:token", showReset);
  r.post("/password/reset/:token", validate(() => resetForm(minLength()), showReset), submitReset(ctx));
  r.get("/not-me/:token", showNotMe);
  r.post("/not-me/:token", limitByIp(limits.loginPerIp), validate(NotMeForm, showNotMe), submitNotMe(ctx));

  // First run: the "about you" step after a new account's first sign-in
  r.get("/welcome", requireConfirmed, showWelcome);
  r.post("/welcome", requireConfirmed, validate(WelcomeForm, showWelcome), submitWelcome);
  r.post("/welcome/skip", requireConfirmed, submitSkipWelcome);

  // Settings: profile, account, password, sessions, notifications
  r.get("/settings", requireConfirmed, (_req, res) => res.redirect("/settings/profile"));
  r.get("/settings/profile", requireConfirmed, showProfileSettings);
  r.post("/settings/profile", requireConfirmed, validate(ProfileForm, showProfileSettings), submitProfileSettings);
  r.get("/u/:username", showPublicProfile);
  r.get("/settings/account", requireConfirmed, showAccountSettings);
  r.post("/settings/account/username", requireConfirmed, validate(UsernameForm, showAccountSettings), submitUsernameChange);
  r.post("/settings/account/email", requireConfirmed, sudo("/settings/account"), validate(EmailChangeForm, showAccountSettings), submitEmailChange(ctx));
  r.post("/settings/account/email/cancel", requireConfirmed, submitCancelEmailChange);
  r.post("/settings/account/export", requireConfirmed, submitDataExport(ctx));
  r.post("/settings/account/delete", requireConfirmed, sudo("/settings/account"), validate(DeleteAccountForm, showAccountSettings), submitDeleteAccount(ctx));
  r.get("/settings/password", requireConfirmed, showPasswordSettings);
  r.post("/settings/password", requireConfirmed, sudo("/settings/password"), validate(() => passwordForm(minLength()), showPasswordSettings), submitPasswordSettings(ctx));
  r.get("/settings/sessions", requireConfirmed, showSessionsSettings);
  r.post("/settings/sessions/revoke-others", requireConfirmed, submitRevokeOtherSessions);
  r.post("/settings/sessions/:id/revoke", requireConfirmed, submitRevokeSession);
  r.get("/settings/notifications", requireConfirmed, showNotificationSettings);
  r.post("/settings/notifications", requireConfirmed, validate(NotificationsForm, { page: showNotificationSettings, summary: NOTIFICATIONS_UNREADABLE }), submitNotificationSettings);

  // Two-factor sign-in, re-authentication ("sudo mode") and security settings
  r.get("/login/two-factor", showTwoFactorLogin);
  r.post("/login/two-factor", limitByIp(limits.loginPerIp), validate(CodeForm, showTwoFactorLogin), submitTwoFactorLogin(ctx));
  r.post("/login/two-factor/cancel", submitCancelTwoFactorLogin);
  r.post("/login/two-factor/passkey/options", submitTwoFactorPasskeyOptions);
  r.post("/login/two-factor/passkey", limitByIp(limits.loginPerIp), spendChallenge("second_step"), validate(SecondStepPasskeyForm, { page: showTwoFactorLogin, hidden: ["response"] }), submitTwoFactorPasskey(ctx));
  r.get("/settings/reauthenticate", requireConfirmed, showReauthenticate(ctx));
  r.post("/settings/reauthenticate", requireConfirmed, limitByIp(limits.loginPerIp), validate(ReauthForm, showReauthenticate(ctx)), submitReauthenticate(ctx));
  r.get("/settings/security", requireConfirmed, security.showSecuritySettings(ctx));
  r.post("/settings/security/totp/setup", requireConfirmed, sudo("/settings/security"), security.submitTotpSetup(ctx));
  r.post("/settings/security/totp/enable", requireConfirmed, sudo("/settings/security"), validate(security.EnableForm, security.showSecuritySettings(ctx)), security.submitTotpEnable(ctx));
  r.get("/settings/security/recovery-codes", requireConfirmed, security.showRecoveryCodes);
  r.post("/settings/security/recovery-codes", requireConfirmed, sudo2, security.submitRegenerateRecoveryCodes);
  r.post("/settings/security/disable", requireConfirmed, sudo2, security.submitDisableTwoFactor);

  // External identities
  r.get("/auth/:provider", showProviderStart(ctx));
  r.post("/auth/:provider", limitByIp(limits.loginPerIp), requireRecentAuth({ when: isLinkIntent, returnTo: "/settings/identities" }), startProviderAuth(ctx, passport));
  // A backing authorization comes back under the provider's sign-in callback URL (src/auth/providers/backing-adapters.ts).
  r.get("/auth/:provider/callback/org-backing", requireConfirmed, backing.loadBackingProvider(ctx), backing.receiveBackingCallback);
  r.get("/auth/:provider/callback", handleProviderCallback(ctx, passport));
  r.get("/auth/:provider/email", showProviderEmail(ctx));
  r.post("/auth/:provider/email", validate(ProviderEmailForm, showProviderEmail(ctx)), submitProviderEmail(ctx));
  r.get("/settings/identities", requireConfirmed, showIdentitySettings(ctx));
  r.get("/settings/identities/:id/delete", requireConfirmed, showUnlinkIdentity);
  r.post("/settings/identities/:id/delete", requireConfirmed, sudo("/settings/identities"), submitUnlinkIdentity(ctx));

  // Single sign-on with an organization's identity provider (services/sso/). The SAML response
  // arrives on ssoResponseRoutes, before the CSRF check.
  r.get("/login/sso", sso.showSsoLogin);
  r.post("/login/sso", limitByIp(limits.loginPerIp), requireRecentAuth({ when: isLinkIntent, returnTo: "/settings/identities" }), validate(sso.SsoLoginForm, sso.showSsoLogin), sso.submitSsoLogin(ctx));
  r.get("/sso/:id/oidc/callback", limitByIp(limits.loginPerIp), sso.handleOidcCallback(ctx));
  r.get("/sso/:id/saml/metadata", sso.showSamlMetadata(ctx));

  // Passkeys: managed in settings; sign-in without a username from the sign-in page
  // Adding or removing a way in needs a fresh proof of identity, as linking an identity does; the
  // options request (fetch) is not behind it, since the page that sends it already was.
  r.get("/settings/passkeys", requireConfirmed, sudo("/settings/passkeys"), passkeys.showPasskeySettings);
  r.post("/settings/passkeys/options", requireConfirmed, passkeys.submitPasskeyRegistrationOptions);
  r.post("/settings/passkeys", requireConfirmed, sudo("/settings/passkeys"), spendChallenge("register"), validate(passkeys.AddPasskeyForm, { page: passkeys.showPasskeySettings, hidden: ["response"] }), passkeys.submitAddPasskey);
  r.get("/settings/passkeys/:id/rename", requireConfirmed, passkeys.showRenamePasskey);
  r.post("/settings/passkeys/:id/rename", requireConfirmed, validate(passkeys.RenamePasskeyForm, passkeys.showRenamePasskey), passkeys.submitRenamePasskey);
  r.get("/settings/passkeys/:id/delete", requireConfirmed, passkeys.showRemovePasskey);
  r.post("/settings/passkeys/:id/delete", requireConfirmed, sudo("/settings/passkeys"), passkeys.submitRemovePasskey);
  r.post("/login/passkey/options", submitPasskeyLoginOptions(ctx));
  r.post("/login/passkey", limitByIp(limits.loginPerIp), spendSignInChallenge(ctx), validate(PasskeyLoginForm, { page: showLogin, hidden: ["response"] }), submitPasskeyLogin);

  // Security logs: the user's own, and an organization's for its owners and admins
  r.get("/settings/security/log", requireConfirmed, showSecurityLog);

  // Access tokens and CLI sign-in
  r.get("/settings/tokens", requireConfirmed, showTokens);
  r.post("/settings/tokens", requireConfirmed, sudo("/settings/tokens"), validate(TokenForm, showTokens), submitCreateToken(ctx));
  r.get("/settings/tokens/:id/revoke", requireConfirmed, showRevokeToken);
  r.post("/settings/tokens/:id/revoke", requireConfirmed, submitRevokeToken);
  r.get("/oauth/authorization", startCliAuthorization);
  r.get("/cli/login", requireConfirmed, sudo((req) => req.originalUrl), showCliLogin);
  r.post("/cli/login", requireConfirmed, sudo(cliConsentPath), validate(CliConsentForm), submitCliLogin);

  // Organizations, teams, invitations. loadOrg answers 404 to anyone who is not a member;
  // authorize answers 403 to members without the role. A form here is validated after both: its
  // 422 shows the organization's page again, which only a member allowed to use the form may see.
  // An organization that requires 2FA shows members without it only the overview (and leaving).
  // An organization that requires SSO shows members who did not come through its IdP only the
  // page that sends them there (owners are exempt: src/http/org-sso.ts); leaving stays open.
  const member = [requireConfirmed, loadOrg, loadOrgSwitcher, requireOrgSso, requireOrgTwoFactor];
  const memberWithout2fa = [requireConfirmed, loadOrg, loadOrgSwitcher, noteOrgTwoFactor];
  const teamOf = [requireConfirmed, loadOrg, loadOrgSwitcher, requireOrgSso, requireOrgTwoFactor, loadTeam];
  r.get("/settings/organizations", requireConfirmed, showOrganizationSettings);
  r.get("/orgs/new", requireConfirmed, orgs.showNewOrganization);
  r.post("/orgs/new", requireConfirmed, validate(orgs.OrganizationForm, orgs.showNewOrganization), orgs.submitNewOrganization(ctx));
  r.get("/orgs/:org", memberWithout2fa, requireOrgSso, authorize(can.canViewOrganization), orgs.showOrganization);
  r.get("/orgs/:org/leave", memberWithout2fa, authorize(can.canLeaveOrganization), orgs.showLeave);
  r.post("/orgs/:org/leave", memberWithout2fa, authorize(can.canLeaveOrganization), orgs.submitLeave);
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
  r.get("/orgs/:org/invitations", member, authorize(can.canManageInvitations), backing.loadBackedPeople(ctx), orgs.showInvitations);
  r.post("/orgs/:org/invitations", member, authorize(can.canManageInvitations), backing.loadBackedPeople(ctx), validate(orgs.InvitationForm, orgs.showInvitations), orgs.submitInvitation(ctx));
  r.post("/orgs/:org/invitations/backed/:id", member, authorize(can.canManageInvitations), backing.submitInviteBacked(ctx));
  r.post("/orgs/:org/invitations/:id/resend", member, authorize(can.canManageInvitations), orgs.submitResendInvitation(ctx));
  r.get("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.showRevokeInvitation);
  r.post("/orgs/:org/invitations/:id/revoke", member, authorize(can.canManageInvitations), orgs.submitRevokeInvitation);
  r.get("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), loadTwoFactorPolicy, backing.loadBacking(ctx), orgs.showOrgSettings);
  r.post("/orgs/:org/settings/two-factor", member, authorize(can.canRequireTwoFactor), submitTwoFactorPolicy);
  r.post("/orgs/:org/settings", member, authorize(can.canUpdateOrganization), loadTwoFactorPolicy, backing.loadBacking(ctx), validate(orgs.OrganizationForm, orgs.showOrgSettings), orgs.submitOrgSettings);
  r.post("/orgs/:org/delete", member, authorize(can.canDeleteOrganization), sudo(orgSettingsPath), loadTwoFactorPolicy, backing.loadBacking(ctx), validate(orgs.DeleteOrganizationForm, { page: orgs.showOrgSettings, errorsLocal: "deleteErrors", valuesLocal: "deleteValues" }), orgs.submitDeleteOrganization(ctx));
  // The fixed backing paths come before the ones that name a provider, which would otherwise take "self-join" and "remove" for one.
  r.post("/orgs/:org/settings/backing/self-join", member, authorize(can.canManageBacking), sudo(orgSettingsPath), validate(backing.SelfJoinForm, { back: orgSettingsPath }), backing.submitSelfJoin);
  r.get("/orgs/:org/settings/backing/remove", member, authorize(can.canManageBacking), backing.showStopBacking);
  r.post("/orgs/:org/settings/backing/remove", member, authorize(can.canManageBacking), sudo(orgSettingsPath), backing.submitStopBacking);
  r.post("/orgs/:org/settings/backing/:provider/start", member, authorize(can.canManageBacking), sudo(orgSettingsPath), backing.loadBackingProvider(ctx), backing.startBacking(ctx));
  r.get("/orgs/:org/settings/backing/:provider", member, authorize(can.canManageBacking), backing.loadBackingProvider(ctx), backing.showBackingChoice(ctx));
  r.post("/orgs/:org/settings/backing/:provider", member, authorize(can.canManageBacking), sudo(orgSettingsPath), backing.loadBackingProvider(ctx), validate(backing.BackingChoiceForm, backing.showBackingChoice(ctx)), backing.submitBackingChoice(ctx));
  r.get("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), orgs.showOrgTokens);
  r.post("/orgs/:org/tokens", member, authorize(can.canManageOrganizationTokens), validate(orgs.OrgTokenForm, orgs.showOrgTokens), orgs.submitOrgToken);
  r.get("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.showRevokeOrgToken);
  r.post("/orgs/:org/tokens/:id/revoke", member, authorize(can.canManageOrganizationTokens), orgs.submitRevokeOrgToken);
  r.get("/orgs/:org/settings/scim", member, authorize(can.canManageScim), orgs.showScimSettings);
  r.post("/orgs/:org/settings/scim/tokens", member, authorize(can.canManageScim), sudo(orgs.scimSettingsPath), orgs.submitCreateScimToken);
  r.get("/orgs/:org/settings/scim/tokens/:id/revoke", member, authorize(can.canManageScim), orgs.showRevokeScimToken);
  r.post("/orgs/:org/settings/scim/tokens/:id/revoke", member, authorize(can.canManageScim), sudo(orgs.scimSettingsPath), orgs.submitRevokeScimToken);
  r.get("/orgs/:org/audit", member, authorize(can.canViewAuditLog), showOrgAuditLog);
  // The identity provider shares the page and the rule (owners in person) of verified domains;
  // changing it is sensitive (it decides who walks in), so it asks for a fresh proof of identity.
  const withSso = loadSsoSettings(ctx);
  r.get("/orgs/:org/settings/sso", member, authorize(can.canManageDomains), withSso, domains.showDomainSettings);
  r.post("/orgs/:org/settings/sso/oidc", member, authorize(can.canManageDomains), sudo(orgSsoPath), withSso, validate(orgSso.OidcForm, domains.showDomainSettings), orgSso.submitOidc(ctx));
  r.post("/orgs/:org/settings/sso/saml", member, authorize(can.canManageDomains), sudo(orgSsoPath), withSso, validate(orgSso.SamlForm, domains.showDomainSettings), orgSso.submitSaml(ctx));
  r.post("/orgs/:org/settings/sso/policy", member, authorize(can.canManageDomains), sudo(orgSsoPath), withSso, validate(orgSso.SsoPolicyForm, domains.showDomainSettings), orgSso.submitSsoPolicy);
  r.get("/orgs/:org/settings/sso/remove", member, authorize(can.canManageDomains), orgSso.showRemoveSso);
  r.post("/orgs/:org/settings/sso/remove", member, authorize(can.canManageDomains), sudo(orgSsoPath), orgSso.submitRemoveSso);
  r.post("/orgs/:org/settings/sso/domains", member, authorize(can.canManageDomains), withSso, validate(domains.DomainForm, domains.showDomainSettings), domains.submitAddDomain);
  r.post("/orgs/:org/settings/sso/domains/:id/verify", member, authorize(can.canManageDomains), domains.submitVerifyDomain(ctx));
  r.get("/orgs/:org/settings/sso/domains/:id/remove", member, authorize(can.canManageDomains), domains.showRemoveDomain);
  r.post("/orgs/:org/settings/sso/domains/:id/remove", member, authorize(can.canManageDomains), domains.submitRemoveDomain);
  r.post("/orgs/:org/settings/sso/join-policy", member, authorize(can.canManageDomains), validate(domains.JoinPolicyForm, { back: domains.domainsPage }), domains.submitJoinPolicy);
  // Joining by a verified domain: asking is for people who are not members yet, so there is no
  // loadOrg; the service finds the organization only through their confirmed address's domain.
  r.post("/orgs/:org/join-requests", requireConfirmed, limitByIp(limits.emailPerIp), submitJoinRequest(ctx));
  r.get("/orgs/:org/join-requests", member, authorize(can.canReviewJoinRequests), showJoinRequests);
  r.post("/orgs/:org/join-requests/:id/approve", member, authorize(can.canReviewJoinRequests), submitDecideJoinRequest(ctx, true));
  r.post("/orgs/:org/join-requests/:id/deny", member, authorize(can.canReviewJoinRequests), submitDecideJoinRequest(ctx, false));
  r.get("/welcome/organization", requireConfirmed, showWelcomeOrganization);
  r.get("/invitations/received/:id", requireConfirmed, showReceivedInvitation);
  r.post("/invitations/received/:id/accept", requireConfirmed, submitAnswerReceivedInvitation(ctx, true));
  r.post("/invitations/received/:id/decline", requireConfirmed, submitAnswerReceivedInvitation(ctx, false));
  r.get("/invitations/:token", showInvitation);
  r.post("/invitations/:token/accept", requireUser, submitAcceptInvitation(ctx));
  r.post("/invitations/:token/decline", requireUser, submitDeclineInvitation);
  r.post("/invitations/:token/switch", submitSwitchAccount);

  // Site administration. requireSiteAdmin answers the plain 404 page to everyone but a signed-in,
  // confirmed, unsuspended site admin. Admin pages act on other people's accounts, so a stolen or
  // forgotten-open session must also prove itself again (sudo, 10 minutes), as for one's own
  // sensitive actions.
  const asAdmin = [requireSiteAdmin, sudo((req) => (req.method === "GET" ? req.originalUrl : "/admin"))];
  r.get("/admin", asAdmin, admin.showAdminHome);
  r.get("/admin/users", asAdmin, admin.showUsers);
  r.get("/admin/users/:id", asAdmin, admin.showUser);
  // :action is one of suspend, unsuspend, resend-confirmation, confirm-email, sign-out, delete,
  // grant-admin, revoke-admin (routes/web/admin/user-actions.ts); anything else is a 404.
  r.get("/admin/users/:id/:action", asAdmin, admin.showUserAction);
  r.post("/admin/users/:id/:action", asAdmin, validate(admin.userActionForm, admin.showUserAction), admin.submitUserAction(ctx));
  r.get("/admin/orgs", asAdmin, admin.showOrganizations);
  r.get("/admin/orgs/:org", asAdmin, admin.showOrganization);
  r.post("/admin/orgs/:org/domains", asAdmin, validate(admin.AdminDomainForm, admin.showOrganization), admin.submitApproveDomain);
  r.get("/admin/orgs/:org/delete", asAdmin, admin.showDeleteOrganization);
  r.post("/admin/orgs/:org/delete", asAdmin, validate(admin.AdminDeleteOrganizationForm, admin.showDeleteOrganization), admin.submitDeleteOrganization(ctx));
  r.get("/admin/settings", asAdmin, admin.showInstanceSettings(ctx));
  r.post("/admin/settings", asAdmin, validate(admin.instanceSettingsForm(ctx), admin.showInstanceSettings(ctx)), admin.submitInstanceSettings(ctx));
  r.get("/admin/audit", asAdmin, admin.showAudit);
  r.get("/admin/mail", asAdmin, admin.showFailedMail);
  r.post("/admin/mail/:id/retry", asAdmin, admin.submitRetryMail);

  return r;
}

/**
 * The SAML assertion consumer service, mounted before the CSRF check (src/app.ts): the IdP's page
 * posts it, so it cannot carry our token; the signed assertion answering the request this session
 * started is its protection (src/routes/web/sso-login.ts).
 */
export function ssoResponseRoutes(ctx: AppContext): Router {
  const r = Router();
  r.post("/sso/:id/saml/acs", limitByIp(ctx.limits.loginPerIp), sso.handleSamlResponse(ctx));
  return r;
}

/** Whether POST /auth/:provider or /login/sso starts linking (a sensitive action) rather than a sign-in. */
const isLinkIntent = (req: Request) => req.body?.intent === "link" && Boolean(req.user);

/** The consent page a CLI approval was posted from, rebuilt from the form's fields. */
function cliConsentPath(req: Request): string {
  const query = new URLSearchParams();
  for (const key of ["client_id", "redirect_uri", "response_type", "code_challenge", "code_challenge_method", "state"]) {
    const value = req.body?.[key];
    if (typeof value === "string") query.set(key, value);
  }
  return `/cli/login?${query.toString()}`;
}

/** An organization's single sign-on page. */
const orgSsoPath = (req: Request) => `/orgs/${encodeURIComponent(String(req.params.org))}/settings/sso`;

/** An organization's settings page, where its deletion is asked for. */
const orgSettingsPath = (req: Request) => `/orgs/${encodeURIComponent(String(req.params.org))}/settings`;
