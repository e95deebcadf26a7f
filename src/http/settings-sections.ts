/** The sections of the settings layout's left navigation, in order: [key, label, path]. */
export const SETTINGS_SECTIONS: readonly (readonly [key: string, label: string, path: string])[] = [
  ["profile", "Profile", "/settings/profile"],
  ["account", "Account", "/settings/account"],
  ["password", "Password", "/settings/password"],
  ["security", "Security", "/settings/security"],
  ["passkeys", "Passkeys", "/settings/passkeys"],
  ["sessions", "Sessions", "/settings/sessions"],
  ["security-log", "Security log", "/settings/security/log"],
  ["identities", "Linked identities", "/settings/identities"],
  ["tokens", "Access tokens", "/settings/tokens"],
  ["notifications", "Notifications", "/settings/notifications"],
  ["organizations", "Organizations", "/settings/organizations"],
];
