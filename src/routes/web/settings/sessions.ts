import type { Request, Response } from "express";
import { z } from "zod";
import { flash } from "../../../http/flash";
import { endSession } from "../../../http/sign-in";
import { notFound } from "../../../lib/errors";
import { listSessionsForPage, revokeOtherSessions, revokeSession } from "../../../services/sessions";
import { listLiveCliTokensForUser } from "../../../db/access-tokens";
import { requestMeta } from "../../../http/request-meta";

const PublicId = z.uuid();

/** How many CLI sign-ins the sessions page lists; the tokens page has them all, paginated. */
const CLI_SIGN_INS_SHOWN = 20;

/**
 * GET /settings/sessions — every signed-in browser session of the user (this device marked) and the
 * CLIs signed in through the browser, which hold personal access tokens.
 */
export async function showSessionsSettings(req: Request, res: Response) {
  const [sessions, cliSignIns] = await Promise.all([
    listSessionsForPage(req.user!.id, req.sessionID),
    listLiveCliTokensForUser(req.user!.id, CLI_SIGN_INS_SHOWN + 1),
  ]);
  res.render("settings/sessions/index", {
    title: "Sessions",
    section: "sessions",
    sessions,
    cliSignIns: cliSignIns.slice(0, CLI_SIGN_INS_SHOWN),
    moreCliSignIns: cliSignIns.length > CLI_SIGN_INS_SHOWN,
    others: sessions.filter((s) => !s.current).length,
  });
}

/**
 * POST /settings/sessions/:id/revoke — signs one session out. `:id` is the session's public id; an
 * id that is malformed or belongs to someone else is a 404 (the lookup is scoped to the user).
 */
export async function submitRevokeSession(req: Request, res: Response) {
  const id = PublicId.safeParse(req.params.id);
  if (!id.success) throw notFound("Session");
  const result = await revokeSession(req.user!, id.data, req.sessionID, requestMeta(req));
  if (result.outcome === "not_found") throw notFound("Session");
  if (result.outcome === "current") {
    await endSession(req);
    flash(req, "info", "You have signed out.");
    return res.redirect("/login");
  }
  flash(req, "success", `The session of ${result.device} was signed out.`);
  res.redirect("/settings/sessions");
}

/** POST /settings/sessions/revoke-others — signs out every session but this one. */
export async function submitRevokeOtherSessions(req: Request, res: Response) {
  await revokeOtherSessions(req.user!, req.sessionID, requestMeta(req));
  flash(req, "success", "Every other session was signed out.");
  res.redirect("/settings/sessions");
}
