import type { Request, Response } from "express";
import { listAccessTokensExpiringForUser } from "../../db/access-tokens";
import { listLiveInvitationsForEmail } from "../../db/invitations";
import { listOrganizationsForUser } from "../../db/memberships";
import { listSecurityEventsForUser } from "../../db/security-events";
import { describeSecurityEvent } from "../../services/security-log-labels";
import { renderConfirmPending } from "../../http/confirm-pending";

/** Tokens that expire within this many days are listed on the home page. */
const EXPIRING_DAYS = 14;
/** How many of the newest security log entries the home page shows. */
const RECENT_EVENTS = 5;

/**
 * GET / — the landing page when signed out; signed in, the home page: the user's organizations
 * with their role, their tokens that expire in the next 14 days, their 5 newest security events
 * and the invitations pending for their (confirmed) address. One query each, all scoped to the
 * signed-in user, so the page costs the same few statements however much the account holds.
 */
export async function showHome(req: Request, res: Response) {
  if (!req.user) return res.render("home/landing", { title: "Welcome" });
  if (!req.user.email_confirmed_at) return renderConfirmPending(req, res);
  const user = req.user;
  const [organizations, expiringTokens, events, invitations] = await Promise.all([
    listOrganizationsForUser(user.id),
    listAccessTokensExpiringForUser(user.id, new Date(Date.now() + EXPIRING_DAYS * 86_400_000)),
    listSecurityEventsForUser(user.id, RECENT_EVENTS, 0),
    listLiveInvitationsForEmail(user.email),
  ]);
  res.render("home/index", {
    title: "Home",
    organizations,
    expiringTokens,
    expiringDays: EXPIRING_DAYS,
    events: events.map((e) => ({ ...describeSecurityEvent(e), at: e.created_at, failed: /failed|refused|clone/.test(e.action) })),
    invitations,
  });
}
