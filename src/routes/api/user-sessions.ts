import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { principalUser } from "../../http/bearer";
import { listLiveSessionsForUser } from "../../db/sessions";
import { pageOf } from "../../http/pager";
import { sendPage } from "./pagination";
import { presentSession } from "./presenters/session";

/**
 * GET /api/v1/user/sessions — the caller's live browser sessions (ended or expired ones are left
 * out), most recently active first, paginated.
 * A person has a handful of sessions, so the page is cut from the one owner-scoped query.
 */
export function listSessions(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = principalUser(req);
    const page = pageOf(req);
    const rows = await listLiveSessionsForUser(user.id);
    const items = rows.slice(page.offset, page.offset + page.perPage).map(presentSession);
    sendPage(ctx, req, res, items, page, rows.length);
  };
}
