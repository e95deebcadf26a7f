import { hasTwoFactorEnabled } from "../../../db/totp-credentials";
import type { Request, Response } from "express";
import { countAccessTokensForUser, listAccessTokensForUser } from "../../../db/access-tokens";
import { countUsers, findLastSignIn, searchUsers } from "../../../db/admin-directory";
import { listIdentitiesForUser } from "../../../db/identities";
import { listOrganizationsForUser } from "../../../db/memberships";
import { listSecurityEventsForUser } from "../../../db/security-events";
import { listLiveSessionsForUser } from "../../../db/sessions";
import { findUserById } from "../../../db/users";
import { displayAccessToken } from "../../../auth/access-token-format";
import { providerLabel } from "../../../services/external-sign-in";
import { notFound } from "../../../lib/errors";
import { describeUserAgent } from "../../../lib/user-agent";
import { ADMIN_SECTIONS, searchedPage } from "./helpers";
import { idParam } from "../../../http/params";
import { actionsFor } from "./user-actions";

/** How many of a user's tokens and security events the user page shows (newest first). */
const SHOWN = 20;

/** GET /admin — the admin area starts with its users. */
export function showAdminHome(_req: Request, res: Response) {
  res.redirect("/admin/users");
}

/** GET /admin/users — every account, searchable by username, email or name, with its state; paginated. */
export async function showUsers(req: Request, res: Response) {
  const { rows: users, ...list } = await searchedPage(req, countUsers, searchUsers);
  res.render("admin/users/index", { title: "Users", section: "users", adminSections: ADMIN_SECTIONS, users, ...list });
}

/** GET /admin/users/:id — one account: state, sessions, tokens, identities, organizations, security log, actions. */
export async function showUser(req: Request, res: Response) {
  const user = await findUserById(idParam(req.params.id, "User"));
  if (!user) throw notFound("User");
  const [sessions, tokens, tokenCount, identities, organizations, events, lastSignIn, twoFactor] = await Promise.all([
    listLiveSessionsForUser(user.id),
    listAccessTokensForUser(user.id, SHOWN, 0),
    countAccessTokensForUser(user.id),
    listIdentitiesForUser(user.id),
    listOrganizationsForUser(user.id),
    listSecurityEventsForUser(user.id, SHOWN, 0),
    findLastSignIn(user.id),
    hasTwoFactorEnabled(user.id),
  ]);
  res.render("admin/users/show", {
    title: user.username,
    section: "users",
    adminSections: ADMIN_SECTIONS,
    user,
    isSelf: user.id === req.user!.id,
    lastSignIn,
    twoFactor,
    sessions: sessions.map((s) => ({ ...describeUserAgent(s.user_agent), ip: s.ip, signedInAt: s.signed_in_at, lastSeenAt: s.last_seen_at, remember: s.remember })),
    tokens: tokens.map((t) => ({ ...t, display: displayAccessToken(t.token_prefix, t.last4) })),
    tokenCount,
    identities: identities.map((i) => ({ ...i, label: providerLabel(i.provider) })),
    organizations,
    events,
    actions: actionsFor(user, req.user!),
  });
}
