/** The admin area's page handlers (/admin/...), one file per section. */
export { showAdminHome, showUsers, showUser } from "./users";
export { showUserAction, submitUserAction, userActionForm } from "./user-actions";
export { AdminDeleteOrganizationForm, AdminDomainForm, showOrganizations, showOrganization, showDeleteOrganization, submitApproveDomain, submitDeleteOrganization } from "./organizations";
export { instanceSettingsForm, showInstanceSettings, submitInstanceSettings } from "./settings";
export { showAudit } from "./audit";
export { showFailedMail, submitRetryMail } from "./mail";
