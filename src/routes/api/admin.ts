import type { Request, Response } from "express";
import { apiAdminContext } from "../../http/admin-bearer";
import type { AppContext } from "../../context";
import { countOrganizations, countUsers, findLastSignIn, searchOrganizations, searchUsers, type AdminUserListRow } from "../../db/admin-directory";
import { listOrganizationsForUser } from "../../db/memberships";
import { findUserById, type UserRow } from "../../db/users";
import { hasTwoFactorEnabled } from "../../db/totp-credentials";
import { requestMeta } from "../../http/request-meta";
import { notFound } from "../../lib/errors";
import { InstanceSettingsBody, SETTING_FIELDS, updateInstanceSettings } from "../../services/instance-settings-update";
import { suspendUser, unsuspendUser } from "../../services/suspension";
import { SuspendBody } from "./admin-schemas";
import { pageOf } from "../../http/pager";
import { idParam } from "../../http/params";
import type { Valid } from "../../http/validate";
import { searchParam, sendPage } from "./pagination";
import { presentAdminOrganization, presentAdminUser, presentInstanceSettings } from "./presenters/admin";

/** The admin API (/api/v1/admin/...): the admin pages' reads and a few of their actions, for scripts. */

async function userOr404(req: Request): Promise<UserRow> {
  const user = await findUserById(idParam(req.params.id, "User"));
  if (!user) throw notFound("User");
  return user;
}

async function listRowFor(user: UserRow): Promise<AdminUserListRow> {
  const [orgs, lastSignIn, twoFactor] = await Promise.all([listOrganizationsForUser(user.id), findLastSignIn(user.id), hasTwoFactorEnabled(user.id)]);
  return { ...user, organization_count: orgs.length, last_sign_in_at: lastSignIn, two_factor: twoFactor };
}

/** GET /api/v1/admin/users — every account (`?q=` searches username, email and name), paginated. */
export function listAdminUsers(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const q = searchParam(req);
    const page = pageOf(req);
    const [rows, total] = await Promise.all([searchUsers(q, page.perPage, page.offset), countUsers(q)]);
    sendPage(ctx, req, res, rows.map(presentAdminUser), page, total);
  };
}

/** GET /api/v1/admin/users/:id — one account. */
export async function showAdminUser(req: Request, res: Response) {
  res.json({ data: presentAdminUser(await listRowFor(await userOr404(req))) });
}

/** POST /api/v1/admin/users/:id/suspend — suspends the account (sessions end, tokens refused, mail sent). */
export function suspendAdminUser(ctx: AppContext) {
  return async (req: Valid<typeof SuspendBody>, res: Response) => {
    const body = req.body;
    const user = await userOr404(req);
    const updated = await suspendUser(ctx, apiAdminContext(req, requestMeta(req)), user.id, body.reason ?? "");
    res.json({ data: presentAdminUser(await listRowFor(updated)) });
  };
}

/** POST /api/v1/admin/users/:id/unsuspend — lifts a suspension. */
export async function unsuspendAdminUser(req: Request, res: Response) {
  const user = await userOr404(req);
  const updated = await unsuspendUser(apiAdminContext(req, requestMeta(req)), user.id);
  res.json({ data: presentAdminUser(await listRowFor(updated)) });
}

/** GET /api/v1/admin/orgs — every organization (`?q=` searches slug and name), paginated. */
export function listAdminOrganizations(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const q = searchParam(req);
    const page = pageOf(req);
    const [rows, total] = await Promise.all([searchOrganizations(q, page.perPage, page.offset), countOrganizations(q)]);
    sendPage(ctx, req, res, rows.map(presentAdminOrganization), page, total);
  };
}

function sendSettings(ctx: AppContext, res: Response) {
  const locked = [...ctx.settings.lockedKeys()].map((k) => SETTING_FIELDS[k].field);
  res.json({ data: presentInstanceSettings(ctx.settings.current(), locked) });
}

/** GET /api/v1/admin/settings — the effective instance settings. */
export function showAdminSettings(ctx: AppContext) {
  return async (_req: Request, res: Response) => {
    await ctx.settings.ready();
    sendSettings(ctx, res);
  };
}

/** PATCH /api/v1/admin/settings — changes any of them (locked ones are refused with 422). */
export function updateAdminSettings(ctx: AppContext) {
  return async (req: Valid<typeof InstanceSettingsBody>, res: Response) => {
    const body = req.body;
    await ctx.settings.ready();
    await updateInstanceSettings(ctx, apiAdminContext(req, requestMeta(req)), body);
    sendSettings(ctx, res);
  };
}
