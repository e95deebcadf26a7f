/** The admin area's page handlers (/admin/...), one file per section. */
export { showAdminHome, showUsers, showUser } from "./users";
export { showUserAction, submitUserAction, userActionForm } from "./user-actions";
export { AdminDeleteOrganizationForm, showOrganizations, showOrganization, showDeleteOrganization, submitDeleteOrganization } from "./organizations";
export { instanceSettingsForm, showInstanceSettings, submitInstanceSettings } from "./settings";
export { showAudit } from "./audit";
export { showFailedMail, submitRetryMail } from "./mail";
