import { db, type Executor } from "../db/knex";
import type { UserRow } from "../db/users";
import {
  exportAccessTokens, exportAccount, exportTwoFactor, exportAuthorizationCodes, exportIdentities, exportInvitations, exportJoinRequests, exportOrganizationBackings, exportMailsFor, exportMemberships,
  exportNotificationPreferences, exportOrganizationEventsBy, exportPasskeys, exportPendingLinks, exportProfile, exportSecurityEvents,
  exportScim, exportSessions, exportTeamMemberships,
} from "../db/user-data-export";
import { gravatarUrl } from "../lib/avatar";
import { emailPreferencesFor } from "./notification-preferences";

/** One part of the export: the tables it covers and how to read the user's rows from them. */
export interface ExportSection {
  tables: string[];
  collect: (user: UserRow, q: Executor) => Promise<unknown>;
}

/**
 * Everything Gatehouse holds about a user, one section per kind of data. To cover a new table keyed
 * by users, add a query to db/user-data-export.ts and a section here naming the table
 * (test/services/data-export.test.ts checks that every table referencing users is covered).
 * Secrets never go in: password hashes, token hashes and session ids are not selected.
 */
export const EXPORT_SECTIONS: Record<string, ExportSection> = {
  account: {
    tables: ["users"],
    collect: (user, q) => exportAccount(user.id, q),
  },
  profile: {
    tables: ["users"],
    collect: async (user, q) => ({ ...(await exportProfile(user.id, q)), avatar_url: gravatarUrl(user.email) }),
  },
  emails: {
    tables: ["users", "email_codes", "outbound_mails"],
    collect: async (user, q) => ({
      addresses: [{ email: user.email, primary: true, confirmed_at: user.email_confirmed_at }],
      pending_links: await exportPendingLinks(user.id, q),
      mails_sent: await exportMailsFor(user.id, q),
    }),
  },
  sessions: {
    tables: ["sessions"],
    collect: (user, q) => exportSessions(user.id, q),
  },
  security_events: {
    tables: ["security_events"],
    collect: (user, q) => exportSecurityEvents(user.id, q),
  },
  notification_preferences: {
    tables: ["notification_preferences"],
    collect: async (user, q) => ({ saved: await exportNotificationPreferences(user.id, q), effective: await emailPreferencesFor(user.id, q) }),
  },
  passkeys: {
    tables: ["passkeys"],
    collect: (user, q) => exportPasskeys(user.id, q),
  },
  identities: {
    tables: ["identities"],
    collect: (user, q) => exportIdentities(user.id, q),
  },
  two_factor: {
    tables: ["totp_credentials", "recovery_codes"],
    collect: (user, q) => exportTwoFactor(user.id, q),
  },
  access_tokens: {
    tables: ["access_tokens", "oauth_authorization_codes"],
    collect: async (user, q) => ({ tokens: await exportAccessTokens(user.id, q), pending_cli_sign_ins: await exportAuthorizationCodes(user.id, q) }),
  },
  organizations: {
    tables: ["memberships", "team_memberships", "invitations", "organization_events", "join_requests", "organization_backings"],
    collect: async (user, q) => ({
      memberships: await exportMemberships(user.id, q),
      your_actions: await exportOrganizationEventsBy(user.id, q),
      teams: await exportTeamMemberships(user.id, q),
      invitations: await exportInvitations(user.id, q),
      join_requests: await exportJoinRequests(user.id, q),
      backings_you_connected: await exportOrganizationBackings(user.id, q),
    }),
  },
  scim_provisioning: {
    tables: ["scim_users", "scim_tokens"],
    collect: (user, q) => exportScim(user.id, q),
  },
};

/** Every table whose rows about a user the export covers. */
export function exportedTables(): Set<string> {
  return new Set(Object.values(EXPORT_SECTIONS).flatMap((s) => s.tables));
}

/** The whole export of a user's data as one JSON-ready object, read in one consistent snapshot. */
export async function exportUserData(user: UserRow, meta: { baseUrl: string }): Promise<Record<string, unknown>> {
  return db.transaction(
    async (trx) => {
      const data: Record<string, unknown> = { service: "Gatehouse", instance: meta.baseUrl, exported_at: new Date().toISOString() };
      for (const [name, section] of Object.entries(EXPORT_SECTIONS)) data[name] = await section.collect(user, trx);
      return data;
    },
    { isolationLevel: "repeatable read", readOnly: true },
  );
}
