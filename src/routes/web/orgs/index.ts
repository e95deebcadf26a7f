/** The organization page handlers, gathered for the route map (src/routes/web/index.ts). */
export { showNewOrganization, submitNewOrganization } from "./create";
export { showOrganization } from "./overview";
export { showLeave, showMembers, showRemoveMember, submitLeave, submitRemoveMember, submitRoleChange } from "./members";
export {
  showDeleteTeam, showTeam, showTeams, submitAddTeamMember, submitCreateTeam, submitDeleteTeam, submitMaintainer, submitRemoveTeamMember,
  submitRenameTeam,
} from "./teams";
export { showInvitations, showRevokeInvitation, submitInvitation, submitResendInvitation, submitRevokeInvitation } from "./invitations";
export { showOrgSettings, submitDeleteOrganization, submitOrgSettings } from "./settings";
export { showOrgTokens, showRevokeOrgToken, submitOrgToken, submitRevokeOrgToken } from "./tokens";
