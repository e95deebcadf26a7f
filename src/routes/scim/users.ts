import type { Request, Response } from "express";
import { z } from "zod";
import { idParam } from "../../http/params";
import type { Valid } from "../../http/validate";
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from "../../services/scim/users";
import { patchOps } from "../../services/scim/patch";
import type { ScimUserState } from "../../services/scim/user-patch";
import { scimListQuery } from "./list-query";
import { listResponse, scimBase, sendScim, userResource } from "./resources";

const text = (max = 256) => z.string().trim().min(1, "Must not be empty.").max(max, `Use at most ${max} characters.`);
/** true/false, and the strings "True"/"False" that Entra ID has sent. */
const Bool = z.union([z.boolean(), z.enum(["True", "False", "true", "false"]).transform((v) => v.toLowerCase() === "true")]);

/** POST and PUT /Users: the core User attributes Gatehouse keeps; others are ignored (RFC 7644 §3.3). */
export const ScimUserBody = z.object({
  schemas: z.array(z.string()).optional(),
  userName: text(),
  externalId: text().nullish(),
  displayName: text().optional(),
  name: z
    .object({ formatted: text(), familyName: text(), givenName: text(), middleName: text(), honorificPrefix: text(), honorificSuffix: text() })
    .partial()
    .optional(),
  emails: z
    .array(z.object({ value: z.string().trim().max(320).regex(/^[^\s@]+@[^\s@]+$/, "Give an email address."), type: z.string().max(64).optional(), primary: Bool.optional(), display: z.string().max(256).optional() }))
    .max(10, "Send at most 10 emails.")
    .optional(),
  active: Bool.default(true),
});

/** PATCH bodies (RFC 7644 §3.5.2) of Users and Groups alike. */
export const ScimPatchBody = z.object({
  schemas: z.array(z.string()).optional(),
  Operations: z.array(z.object({ op: z.string().max(16), path: z.string().max(1000).optional(), value: z.unknown().optional() })).min(1, "Send at least one operation.").max(1000, "Send at most 1000 operations."),
});

function stateFrom(body: z.output<typeof ScimUserBody>): ScimUserState {
  const profile: ScimUserState["profile"] = {};
  if (body.displayName) profile.displayName = body.displayName;
  if (body.name && Object.keys(body.name).length) profile.name = body.name;
  if (body.emails?.length) profile.emails = body.emails;
  return { userName: body.userName, externalId: body.externalId ?? null, active: body.active, profile };
}

/** GET /Users — the organization's Users, filtered and paged. */
export async function listScimUsers(req: Request, res: Response) {
  const q = scimListQuery(req);
  const { total, rows } = await listUsers(req.scim!.organization, q.tests, q.startIndex, q.count);
  sendScim(res, 200, listResponse(rows.map((r) => userResource(scimBase(req), r)), total, q.startIndex));
}

/** GET /Users/:id — one User. */
export async function showScimUser(req: Request, res: Response) {
  const row = await getUser(req.scim!.organization, idParam(req.params.id, "User"));
  sendScim(res, 200, userResource(scimBase(req), row));
}

/** POST /Users — provisions a person into the organization (201, with Location). */
export async function createScimUser(req: Valid<typeof ScimUserBody>, res: Response) {
  const row = await createUser(req.scim!.organization, stateFrom(req.body));
  const resource = userResource(scimBase(req), row);
  res.setHeader("Location", resource.meta.location);
  sendScim(res, 201, resource);
}

/** PUT /Users/:id — replaces a User's attributes and active state. */
export async function replaceScimUser(req: Valid<typeof ScimUserBody>, res: Response) {
  const row = await replaceUser(req.scim!.organization, idParam(req.params.id, "User"), stateFrom(req.body));
  sendScim(res, 200, userResource(scimBase(req), row));
}

/** PATCH /Users/:id — add, replace, remove operations (deactivation included). */
export async function patchScimUser(req: Valid<typeof ScimPatchBody>, res: Response) {
  const row = await patchUser(req.scim!.organization, idParam(req.params.id, "User"), patchOps(req.body.Operations));
  sendScim(res, 200, userResource(scimBase(req), row));
}

/** DELETE /Users/:id — ends the membership and forgets the User (204); the account stays. */
export async function deleteScimUser(req: Request, res: Response) {
  await deleteUser(req.scim!.organization, idParam(req.params.id, "User"));
  res.status(204).end();
}
