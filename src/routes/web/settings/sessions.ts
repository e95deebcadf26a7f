import type { Request, Response } from "express";
import { z } from "zod";
import { flash } from "../../../http/flash";
import { endSession } from "../../../http/sign-in";
import { notFound } from "../../../lib/errors";
import { formatUtc, timeAgo } from "../../../lib/time-words";
import { listSessionsForPage, revokeOtherSessions, revokeSession } from "../../../services/sessions";
import { requestMeta } from "../../../services/request-meta";

const PublicId = z.uuid();

/** GET /settings/sessions — every signed-in session of the user, this device marked. */
export async function showSessionsSettings(req: Request, res: Response) {
  const sessions = await listSessionsForPage(req.user!.id, req.sessionID);
  res.render("settings/sessions/index", {
    title: "Sessions",
    section: "sessions",
    sessions,
    others: sessions.filter((s) => !s.current).length,
    formatUtc,
    timeAgo,
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
