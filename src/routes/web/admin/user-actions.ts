import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { findUserById, type UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import { formValues, type Valid } from "../../../http/validate";
import { HttpError, notFound, ValidationError } from "../../../lib/errors";
import { deleteUserAsAdmin, markEmailConfirmedAsAdmin, resendConfirmationAsAdmin, signOutEverywhereAsAdmin } from "../../../services/admin-users";
import { changeSiteAdmin } from "../../../services/site-admins";
import { suspendUser, unsuspendUser } from "../../../services/suspension";
import { ADMIN_SECTIONS } from "./helpers";
import { idParam } from "../../../http/params";

/**
 * What a site admin can do to an account. Each is a GET page that says what will happen and asks
 * again, and a POST (CSRF-checked like every form) that does it: never a state change on GET.
 */
export type UserAction = "suspend" | "unsuspend" | "resend-confirmation" | "confirm-email" | "sign-out" | "delete" | "grant-admin" | "revoke-admin";

interface ActionDefinition {
  /** The page's title and the button's words. */
  title: string;
  button: string;
  danger: boolean;
  /** What will happen, in a sentence or two. */
  explain: (user: UserRow) => string;
  /** Whether the action applies to this account as it is now (others are not offered). */
  applies: (user: UserRow, actor: UserRow) => boolean;
}

const ACTIONS: Record<UserAction, ActionDefinition> = {
  suspend: {
    title: "Suspend account",
    button: "Suspend account",
    danger: true,
    explain: (u) => `${u.username} is signed out everywhere at once, every access token stops working, and signing in is refused with a message saying the account is suspended. They get an email saying so. Nothing is deleted: unsuspending gives everything back.`,
    applies: (u, actor) => !u.suspended_at && u.id !== actor.id,
  },
  unsuspend: {
    title: "Unsuspend account",
    button: "Unsuspend account",
    danger: false,
    explain: (u) => `${u.username} can sign in again, and their unrevoked access tokens work again.`,
    applies: (u) => u.suspended_at !== null,
  },
  "resend-confirmation": {
    title: "Resend confirmation email",
    button: "Send confirmation email",
    danger: false,
    explain: (u) => `A new confirmation link is mailed to ${u.email}; earlier links stop working.`,
    applies: (u) => !u.email_confirmed_at,
  },
  "confirm-email": {
    title: "Mark email confirmed",
    button: "Mark email confirmed",
    danger: false,
    explain: (u) => `${u.email} is treated as proven to belong to ${u.username}, on your word, without the mailed link. Do this only when you know it is theirs.`,
    applies: (u) => !u.email_confirmed_at,
  },
  "sign-out": {
    title: "Sign out everywhere",
    button: "Sign out everywhere",
    danger: true,
    explain: (u) => `Every browser session of ${u.username} ends now. Their access tokens keep working; suspend the account to stop those too.`,
    applies: () => true,
  },
  delete: {
    title: "Delete account",
    button: "Delete account",
    danger: true,
    explain: (u) => `${u.username}'s account is deleted for good, with its sessions, tokens, identities and memberships. They get an email saying so. This cannot be undone. An account that is the last owner of an organization cannot be deleted until someone else owns it.`,
    applies: (u, actor) => u.id !== actor.id,
  },
  "grant-admin": {
    title: "Make site admin",
    button: "Make site admin",
    danger: false,
    explain: (u) => `${u.username} gets the admin pages and API: every account, organization and instance setting.`,
    applies: (u) => !u.is_site_admin,
  },
  "revoke-admin": {
    title: "Remove site admin",
    button: "Remove site admin",
    danger: true,
    explain: (u) => `${u.username} loses the admin pages and API. The last site admin who can sign in cannot be removed.`,
    applies: (u) => u.is_site_admin,
  },
};

/** The actions the user page offers for this account, in order, with their labels. */
export function actionsFor(user: UserRow, actor: UserRow): { name: UserAction; title: string; danger: boolean }[] {
  return (Object.entries(ACTIONS) as [UserAction, ActionDefinition][])
    .filter(([, d]) => d.applies(user, actor))
    .map(([name, d]) => ({ name, title: d.title, danger: d.danger }));
}

const SuspendForm = z.object({ reason: z.string().trim().max(500, "Use at most 500 characters.").default("") });
// Anything but the username typed (missing, too long, not text) is answered like a wrong one.
const DeleteForm = z.object({ username_confirmation: z.string().trim().max(100).catch("") });
const NoFields = z.object({});

/** POST /admin/users/:id/:action: the fields of the action's form (a suspension's reason, a deletion's username), none for the others. */
export function userActionForm(req: Request) {
  const action = String(req.params.action);
  if (action === "suspend") return SuspendForm;
  if (action === "delete") return DeleteForm;
  return NoFields;
}

/** The body of an action's form, as userActionForm parsed it. */
type UserActionBody = Partial<z.output<typeof SuspendForm> & z.output<typeof DeleteForm>>;

async function targetOf(req: Request): Promise<UserRow> {
  const user = await findUserById(idParam(req.params.id, "User"));
  if (!user) throw notFound("User");
  return user;
}

function renderConfirm(res: Response, user: UserRow, action: UserAction, values = formValues(res, {})) {
  const d = ACTIONS[action];
  res.render("admin/users/confirm", {
    title: d.title, section: "users", adminSections: ADMIN_SECTIONS, user, action, definition: { ...d, explanation: d.explain(user) }, values,
  });
}

/** The confirmation page again with 409: a rule refused the action (the last admin, the last owner). */
function renderRefused(res: Response, user: UserRow, action: UserAction, message: string, values: Record<string, unknown> = {}) {
  res.status(409);
  res.locals.errors = { _form: message };
  renderConfirm(res, user, action, values);
}

/** The :action route parameter, or a 404 for anything that is not an action. */
function actionOf(req: Request): UserAction {
  const action = String(req.params.action);
  if (!Object.hasOwn(ACTIONS, action)) throw notFound();
  return action as UserAction;
}

/** GET /admin/users/:id/:action — what the action will do, and the button that does it (again on a 422). */
export async function showUserAction(req: Request, res: Response) {
  const action = actionOf(req);
  const user = await targetOf(req);
  if (!ACTIONS[action].applies(user, req.user!)) throw notFound();
  renderConfirm(res, user, action);
}

/**
 * POST /admin/users/:id/:action — does it, records it in the admin audit log (in the service's
 * transaction) and goes back to the user's page. A rule that refuses it (the last admin, the last
 * owner of an organization) re-renders the page with the reason.
 */
export function submitUserAction(ctx: AppContext) {
  return async (req: Valid<z.ZodType<UserActionBody>>, res: Response) => {
    const action = actionOf(req);
    const user = await targetOf(req);
    const admin = adminContext(req);
    const back = `/admin/users/${user.id}`;
    try {
      switch (action) {
        case "suspend": {
          await suspendUser(ctx, admin, user.id, req.body.reason ?? "");
          flash(req, "success", `${user.username} is suspended: signed out everywhere, tokens refused, sign-in refused.`);
          break;
        }
        case "unsuspend":
          await unsuspendUser(admin, user.id);
          flash(req, "success", `${user.username} is no longer suspended.`);
          break;
        case "resend-confirmation":
          await resendConfirmationAsAdmin(ctx, admin, user.id);
          flash(req, "success", `A new confirmation link was mailed to ${user.email}.`);
          break;
        case "confirm-email":
          await markEmailConfirmedAsAdmin(admin, user.id);
          flash(req, "success", `${user.email} is marked confirmed.`);
          break;
        case "sign-out": {
          const ended = await signOutEverywhereAsAdmin(admin, user.id);
          flash(req, "success", `${user.username} was signed out of ${ended} session${ended === 1 ? "" : "s"}.`);
          break;
        }
        case "delete": {
          if ((req.body.username_confirmation ?? "").toLowerCase() !== user.username.toLowerCase()) {
            throw new ValidationError({ username_confirmation: `Type ${user.username} to confirm.` });
          }
          await deleteUserAsAdmin(ctx, admin, user.id);
          flash(req, "success", `${user.username}'s account was deleted.`);
          return res.redirect("/admin/users");
        }
        case "grant-admin":
        case "revoke-admin": {
          const grant = action === "grant-admin";
          await changeSiteAdmin(admin, user.id, grant);
          flash(req, "success", grant ? `${user.username} is now a site admin.` : `${user.username} is no longer a site admin.`);
          // An admin who removed themselves has no admin pages left to go back to.
          if (!grant && user.id === req.user!.id) return res.redirect("/");
          break;
        }
      }
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) return renderRefused(res, user, action, err.message, req.body);
      throw err;
    }
    res.redirect(back);
  };
}
