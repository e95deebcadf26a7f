/** The organization page handlers and the schemas of their forms, gathered for the route map (src/routes/web/index.ts). */
export { OrganizationForm, showNewOrganization, submitNewOrganization } from "./create";
export { showOrganization } from "./overview";
export { membersPage, RoleForm, showLeave, showMembers, showRemoveMember, submitLeave, submitRemoveMember, submitRoleChange } from "./members";
export {
  MaintainerForm, showDeleteTeam, showTeam, showTeams, submitAddTeamMember, submitCreateTeam, submitDeleteTeam, submitMaintainer, submitRemoveTeamMember,
  submitRenameTeam, TeamForm, TeamMemberForm, teamPage,
} from "./teams";
export { InvitationForm, showInvitations, showRevokeInvitation, submitInvitation, submitResendInvitation, submitRevokeInvitation } from "./invitations";
export { DeleteOrganizationForm, showOrgSettings, submitDeleteOrganization, submitOrgSettings } from "./settings";
export { OrgTokenForm, showOrgTokens, showRevokeOrgToken, submitOrgToken, submitRevokeOrgToken } from "./tokens";
export { scimSettingsPath, showRevokeScimToken, showScimSettings, submitCreateScimToken, submitRevokeScimToken } from "./scim";
