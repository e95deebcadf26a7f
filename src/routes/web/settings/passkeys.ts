import type { Request, Response } from "express";
import { z } from "zod";
import { findPasskeyForUser, listPasskeysForUser, type PasskeyRow } from "../../../db/passkeys";
import { flash } from "../../../http/flash";
import { requestMeta } from "../../../http/request-meta";
import { idParam } from "../../../http/params";
import { formValues, type Valid } from "../../../http/validate";
import { keepChallenge } from "../../../http/webauthn-challenges";
import { notFound, ValidationError } from "../../../lib/errors";
import { countSignInMethods, isLastSignInMethod } from "../../../services/identities";
import {
  beginPasskeyRegistration, finishPasskeyRegistration, passkeyNameSchema, removePasskey, renamePasskey, webAuthnResponseField,
} from "../../../services/passkeys";

/** POST /settings/passkeys: the name typed and the authenticator's answer (posted by the page's script). */
export const AddPasskeyForm = z.object({ name: passkeyNameSchema, response: webAuthnResponseField });
/** POST /settings/passkeys/:id/rename. */
export const RenamePasskeyForm = z.object({ name: passkeyNameSchema });

const passkeyId = (req: Request) => idParam(req.params.id, "Passkey");

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

/** GET /settings/passkeys — the user's passkeys and security keys, and the form that adds one (again, with the name kept, on a 422). */
export async function showPasskeySettings(req: Request, res: Response) {
  const user = req.user!;
  const passkeys = await listPasskeysForUser(user.id);
  res.render("settings/passkeys/index", {
    title: "Passkeys",
    section: "passkeys",
    passkeys: passkeys.map(passkeyView),
    lastMethod: isLastSignInMethod(!!user.password_hash, await countSignInMethods(user.id)),
  });
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
 * under the name typed, against the challenge the route's spendChallenge step took out of the
 * session. A failure re-renders the page with the reason and the name kept.
 */
export async function submitAddPasskey(req: Valid<typeof AddPasskeyForm>, res: Response) {
  const result = await finishPasskeyRegistration(req.app.locals.config, req.user!, { ...req.body, issued: req.webauthnChallenge }, requestMeta(req));
  if (!result.ok) throw new ValidationError({ _form: result.message });
  flash(req, "success", `Passkey “${result.passkey.name}” was added. You can sign in with it now.`);
  res.redirect("/settings/passkeys");
}

/** GET /settings/passkeys/:id/rename — the rename form (again, with the name typed, on a 422). Someone else's id is a 404. */
export async function showRenamePasskey(req: Request, res: Response) {
  const passkey = await findPasskeyForUser(req.user!.id, passkeyId(req));
  if (!passkey) throw notFound("Passkey");
  res.render("settings/passkeys/rename", { title: "Rename passkey", section: "passkeys", passkey: passkeyView(passkey), values: formValues(res, { name: passkey.name }) });
}

/** POST /settings/passkeys/:id/rename — renames the user's own passkey; someone else's id is a 404. */
export async function submitRenamePasskey(req: Valid<typeof RenamePasskeyForm>, res: Response) {
  if (!(await renamePasskey(req.user!.id, passkeyId(req), req.body.name, requestMeta(req)))) throw notFound("Passkey");
  flash(req, "success", `The passkey is now called “${req.body.name}”.`);
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
