import type { Request, Response } from "express";
import { z } from "zod";
import { findPasskeyForUser, listPasskeysForUser, type PasskeyRow } from "../../../db/passkeys";
import { flash } from "../../../http/flash";
import { requestMeta } from "../../../http/request-meta";
import { parseBody } from "../../../http/validate";
import { keepChallenge, takeChallenge } from "../../../http/webauthn-challenges";
import { notFound } from "../../../lib/errors";
import { countSignInMethods, isLastSignInMethod } from "../../../services/identities";
import {
  beginPasskeyRegistration, finishPasskeyRegistration, passkeyNameSchema, removePasskey, renamePasskey, webAuthnResponseField,
} from "../../../services/passkeys";

const AddPasskeyForm = z.object({ name: passkeyNameSchema, response: webAuthnResponseField });
const RenamePasskeyForm = z.object({ name: passkeyNameSchema });

function passkeyId(req: Request): number {
  const id = String(req.params.id);
  if (!/^\d{1,15}$/.test(id)) throw notFound("Passkey");
  return Number(id);
}

/** One passkey as the list shows it. */
function passkeyView(p: PasskeyRow) {
  return {
    id: p.id,
    name: p.name,
    kind: p.device_type === "multiDevice" ? (p.backed_up ? "Synced passkey" : "Passkey (can sync, not backed up yet)") : "Single-device key",
    createdAt: p.created_at,
    lastUsedAt: p.last_used_at,
  };
}

async function renderList(req: Request, res: Response, opts: { status?: number; errors?: Record<string, string>; values?: Record<string, string> } = {}) {
  const user = req.user!;
  const passkeys = await listPasskeysForUser(user.id);
  res.status(opts.status ?? 200).render("settings/passkeys/index", {
    title: "Passkeys",
    section: "passkeys",
    passkeys: passkeys.map(passkeyView),
    lastMethod: isLastSignInMethod(!!user.password_hash, await countSignInMethods(user.id)),
    errors: opts.errors ?? {},
    values: opts.values ?? {},
  });
}

/** GET /settings/passkeys — the user's passkeys and security keys, and the form that adds one. */
export async function showPasskeySettings(req: Request, res: Response) {
  await renderList(req, res);
}

/**
 * POST /settings/passkeys/options — the options for navigator.credentials.create(), as JSON, for
 * the page's script. The challenge is kept in the session until the registration form comes back.
 */
export async function submitPasskeyRegistrationOptions(req: Request, res: Response) {
  const { options, issued } = await beginPasskeyRegistration(req.app.locals.config, req.user!);
  keepChallenge(req, "register", issued);
  res.json({ options });
}

/**
 * POST /settings/passkeys — adds the passkey the browser created (the response JSON in `response`)
 * under the name typed. A failure re-renders the page with the reason and the name kept.
 */
export async function submitAddPasskey(req: Request, res: Response) {
  // Taken out of the session whatever happens next: a challenge answers one response only.
  const issued = takeChallenge(req, "register");
  const parsed = parseBody(AddPasskeyForm, req.body);
  const values = { name: String(req.body?.name ?? "") };
  if (!parsed.ok) {
    const { response, ...fieldErrors } = parsed.errors;
    return renderList(req, res, { status: 422, values, errors: { ...fieldErrors, ...(response ? { _form: response } : {}) } });
  }
  const result = await finishPasskeyRegistration(req.app.locals.config, req.user!, { ...parsed.data, issued }, requestMeta(req));
  if (!result.ok) return renderList(req, res, { status: 422, values, errors: { _form: result.message } });
  flash(req, "success", `Passkey “${result.passkey.name}” was added. You can sign in with it now.`);
  res.redirect("/settings/passkeys");
}

/** GET /settings/passkeys/:id/rename — the rename form. Someone else's id is a 404. */
export async function showRenamePasskey(req: Request, res: Response) {
  const passkey = await findPasskeyForUser(req.user!.id, passkeyId(req));
  if (!passkey) throw notFound("Passkey");
  res.render("settings/passkeys/rename", { title: "Rename passkey", section: "passkeys", passkey: passkeyView(passkey), values: { name: passkey.name }, errors: {} });
}

/** POST /settings/passkeys/:id/rename — renames; a bad name re-renders the form with the name typed. */
export async function submitRenamePasskey(req: Request, res: Response) {
  const passkey = await findPasskeyForUser(req.user!.id, passkeyId(req));
  if (!passkey) throw notFound("Passkey");
  const parsed = parseBody(RenamePasskeyForm, req.body);
  if (!parsed.ok) {
    return res.status(422).render("settings/passkeys/rename", {
      title: "Rename passkey", section: "passkeys", passkey: passkeyView(passkey), values: { name: String(req.body?.name ?? "") }, errors: parsed.errors,
    });
  }
  if (!(await renamePasskey(req.user!.id, passkey.id, parsed.data.name, requestMeta(req)))) throw notFound("Passkey");
  flash(req, "success", `The passkey is now called “${parsed.data.name}”.`);
  res.redirect("/settings/passkeys");
}

/** GET /settings/passkeys/:id/delete — asks before removing. Someone else's id is a 404. */
export async function showRemovePasskey(req: Request, res: Response) {
  const passkey = await findPasskeyForUser(req.user!.id, passkeyId(req));
  if (!passkey) throw notFound("Passkey");
  res.render("settings/passkeys/delete", {
    title: "Remove passkey",
    section: "passkeys",
    passkey: passkeyView(passkey),
    lastMethod: isLastSignInMethod(!!req.user!.password_hash, await countSignInMethods(req.user!.id)),
  });
}

/**
 * POST /settings/passkeys/:id/delete — removes, unless it is the last way to sign in (no password,
 * no identity, no other passkey): an account nobody can enter is lost for good.
 */
export async function submitRemovePasskey(req: Request, res: Response) {
  const outcome = await removePasskey(req.user!.id, passkeyId(req), requestMeta(req));
  if (outcome.kind === "not_found") throw notFound("Passkey");
  if (outcome.kind === "last_method") {
    flash(req, "error", "This passkey is your only way to sign in. Set a password or connect an identity before removing it.");
  } else {
    flash(req, "success", `Passkey “${outcome.name}” was removed. It can no longer be used to sign in.`);
  }
  res.redirect("/settings/passkeys");
}
