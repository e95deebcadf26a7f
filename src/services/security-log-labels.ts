import type { OrganizationEventRow } from "../db/organization-events";
import type { SecurityEventRow } from "../db/security-events";
import { describeUserAgent } from "../lib/user-agent";
import { providerLabel } from "./external-sign-in";
import { displayIp } from "../lib/ip-address";
import { cliClientName } from "../lib/cli-clients";

/** One log entry in words: what happened, and the specifics (a name, an address) when there are any. */
export interface EventWords {
  title: string;
  detail: string | null;
}

type Details = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const quoted = (v: unknown): string | null => (text(v) ? `“${text(v)}”` : null);

const SECOND_FACTORS: Record<string, string> = { totp: "an authenticator code", recovery_code: "a recovery code", passkey: "a passkey" };

/**
 * "with your password", "with a passkey", "with GitHub", "with single sign-on": how a sign-in was
 * made; a second factor is recorded after a "+" ("password+totp") and said after "and".
 */
function signInMethod(method: unknown): string {
  const [first, second] = text(method).split("+");
  const factor = second ? ` and ${SECOND_FACTORS[second] ?? second}` : "";
  if (first === "password") return `with your password${factor}`;
  if (first === "passkey") return `with a passkey${factor}`;
  if (first === "email_confirmation") return "by confirming your email address";
  if (first === "sso") return `with single sign-on${factor}`;
  return first ? `with ${providerLabel(first)}${factor}` : "";
}

const REVOKE_REASONS: Record<string, string> = {
  password_reset: "when the password was reset",
  not_proven_at_confirmation: "when the email address was confirmed (it had not proven that address)",
};

/** The personal log's entries, by action; an action missing here is shown by its name in words. */
const PERSONAL: Record<string, (d: Details) => EventWords> = {
  sign_in: (d) => ({ title: `Signed in ${signInMethod(d.method)}`.trim(), detail: null }),
  "sign_in.failed": (d) => ({
    title: d.method === "passkey" ? "Failed sign-in with a passkey" : "Failed sign-in: wrong password",
    detail: d.method === "passkey" ? quoted(d.name) : null,
  }),
  "password.changed": () => ({ title: "Password changed", detail: null }),
  "password.set": () => ({ title: "Password set", detail: null }),
  "password.reset": () => ({ title: "Password reset by email", detail: null }),
  "email.change_requested": (d) => ({ title: "Email change requested", detail: text(d.email) ? `to ${text(d.email)}` : null }),
  "email.change_cancelled": (d) => ({ title: "Email change cancelled", detail: text(d.email) || null }),
  "email.changed": (d) => ({ title: "Email address changed", detail: `from ${text(d.from)} to ${text(d.to)}` }),
  "username.changed": (d) => ({ title: "Username changed", detail: `from ${text(d.from)} to ${text(d.to)}` }),
  "profile.updated": (d) => ({ title: "Profile updated", detail: Array.isArray(d.fields) ? d.fields.map(text).join(", ").replace(/_/g, " ") : null }),
  "passkey.added": (d) => ({ title: "Passkey added", detail: quoted(d.name) }),
  "passkey.renamed": (d) => ({ title: "Passkey renamed", detail: text(d.name) ? `now ${quoted(d.name)}` : null }),
  "passkey.removed": (d) => ({ title: "Passkey removed", detail: quoted(d.name) }),
  "passkey.clone_suspected": (d) => ({ title: "Passkey refused: it may have been copied", detail: quoted(d.name) }),
  "access_token.created": (d) => ({ title: "Access token created", detail: quoted(d.description) }),
  "access_token.revoked": (d) => ({
    title: "Access token revoked",
    detail: [quoted(d.description), REVOKE_REASONS[text(d.reason)]].filter(Boolean).join(" ") || null,
  }),
  "cli_login.approved": (d) => ({ title: "CLI sign-in approved", detail: text(d.client) ? cliClientName(text(d.client)) : null }),
  "cli_login.denied": (d) => ({ title: "CLI sign-in denied", detail: text(d.client) ? cliClientName(text(d.client)) : null }),
  "identity.linked": (d) => ({ title: `${providerLabel(text(d.provider))} account connected`, detail: text(d.account) || null }),
  "identity.unlinked": (d) => ({
    title: `${providerLabel(text(d.provider))} account disconnected`,
    detail: [text(d.account), REVOKE_REASONS[text(d.reason)]].filter(Boolean).join(" ") || null,
  }),
  "session.revoked": (d) => ({ title: "Session signed out", detail: [text(d.device), text(d.ip) ? `from ${displayIp(text(d.ip))}` : ""].filter(Boolean).join(" ") || null }),
  "session.revoked_others": () => ({ title: "All other sessions signed out", detail: null }),
  "data.exported": () => ({ title: "Data exported", detail: null }),
};

/** "two_factor.enabled" → "Two factor enabled": the words for an action this module has no entry for. */
function actionInWords(action: string): string {
  const words = action.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The personal log entry in words. */
export function describeSecurityEvent(event: Pick<SecurityEventRow, "action" | "details">): EventWords {
  return PERSONAL[event.action]?.(event.details ?? {}) ?? { title: actionInWords(event.action), detail: null };
}

/** "Firefox 120 on Linux", or "Unknown browser" without a user agent: the short name of a browser. */
export function browserLabel(userAgent: string | null): string {
  if (!userAgent) return "Unknown browser";
  const d = describeUserAgent(userAgent);
  return d.os === "Unknown system" ? d.browser : `${d.browser} on ${d.os}`;
}

const ROLE = (v: unknown) => (text(v) ? `as ${text(v)}` : "");

const JOIN_POLICY_WORDS: Record<string, string> = { off: "invitation only", request: "ask to join", direct: "join directly" };

/** The organization log's entries, by action. */
const ORGANIZATION: Record<string, (d: Details) => EventWords> = {
  "organization.created": (d) => ({ title: "Organization created", detail: text(d.name) || null }),
  "organization.updated": (d) => {
    const from = (d.from ?? {}) as Details;
    const to = (d.to ?? {}) as Details;
    const parts = [
      text(from.name) !== text(to.name) ? `name from ${quoted(from.name)} to ${quoted(to.name)}` : "",
      text(from.slug) !== text(to.slug) ? `URL from /orgs/${text(from.slug)} to /orgs/${text(to.slug)}` : "",
    ].filter(Boolean);
    return { title: "Settings changed", detail: parts.length ? `Changed ${parts.join(" and ")}` : null };
  },
  "member.joined": (d) => ({ title: d.via === "scim" ? "Member provisioned by SCIM" : "Member joined", detail: [`${text(d.username)} ${ROLE(d.role)}`.trim(), text(d.domain) ? `with an address at ${text(d.domain)}` : ""].filter(Boolean).join(" ") }),
  "member.left": (d) => ({ title: "Member left", detail: text(d.username) || null }),
  "member.removed": (d) => ({ title: d.via === "scim" ? "Member deprovisioned by SCIM" : "Member removed", detail: text(d.username) || null }),
  "member.role_changed": (d) => ({ title: "Role changed", detail: `${text(d.username)}: ${text(d.from)} → ${text(d.to)}` }),
  "invitation.created": (d) => ({ title: "Invitation sent", detail: `to ${text(d.email)} ${ROLE(d.role)}`.trim() }),
  "invitation.resent": (d) => ({ title: "Invitation sent again", detail: `to ${text(d.email)} ${ROLE(d.role)}`.trim() }),
  "invitation.revoked": (d) => ({ title: "Invitation revoked", detail: `to ${text(d.email)}` }),
  "invitation.declined": (d) => ({ title: "Invitation declined", detail: `by ${text(d.email)}` }),
  "domain.added": (d) => ({ title: "Domain added", detail: text(d.domain) || null }),
  "domain.verified": (d) => ({ title: "Domain verified", detail: [text(d.domain), d.by === "admin" ? "approved by a site admin" : "by its DNS record"].filter(Boolean).join(" ") }),
  "domain.removed": (d) => ({ title: "Domain removed", detail: text(d.domain) || null }),
  "join_policy.changed": (d) => ({ title: "Join policy changed", detail: `${JOIN_POLICY_WORDS[text(d.from)] ?? text(d.from)} → ${JOIN_POLICY_WORDS[text(d.to)] ?? text(d.to)}` }),
  "join_request.created": (d) => ({ title: "Asked to join", detail: [text(d.username), text(d.email) ? `(${text(d.email)})` : ""].filter(Boolean).join(" ") || null }),
  "join_request.approved": (d) => ({ title: "Join request approved", detail: text(d.username) || null }),
  "join_request.denied": (d) => ({ title: "Join request denied", detail: text(d.username) || null }),
  "token.created": (d) => ({ title: text(d.team) ? "Team token created" : "Organization token created", detail: [quoted(d.description), text(d.team) ? `for team ${text(d.team)}` : ""].filter(Boolean).join(" ") || null }),
  "token.revoked": (d) => ({ title: text(d.team) ? "Team token revoked" : "Organization token revoked", detail: quoted(d.description) }),
  "scim_token.created": (d) => ({ title: "SCIM token created", detail: text(d.last4) ? `gts_…${text(d.last4)}` : null }),
  "scim_token.revoked": (d) => ({ title: "SCIM token revoked", detail: text(d.last4) ? `gts_…${text(d.last4)}` : null }),
};

/** The organization log entry in words. */
export function describeOrganizationEvent(event: Pick<OrganizationEventRow, "action" | "details">): EventWords {
  return ORGANIZATION[event.action]?.(event.details ?? {}) ?? { title: actionInWords(event.action), detail: null };
}
