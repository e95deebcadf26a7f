import type { Request, Response } from "express";
import { z } from "zod";
import { idParam } from "../../http/params";
import type { Valid } from "../../http/validate";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "../../services/scim/groups";
import { memberIds } from "../../services/scim/group-patch";
import { patchOps } from "../../services/scim/patch";
import type { ScimPatchBody } from "./users";
import { excludedOf, scimListQuery } from "./list-query";
import { groupResource, listResponse, scimBase, sendScim } from "./resources";

/** POST and PUT /Groups: a team's name (the team rules: 1 to 64 characters), externalId and members. */
export const ScimGroupBody = z.object({
  schemas: z.array(z.string()).optional(),
  displayName: z.string().trim().min(1, "Must not be empty.").max(64, "Use at most 64 characters."),
  externalId: z.string().trim().min(1).max(256).nullish(),
  members: z.array(z.object({ value: z.union([z.string().max(20), z.number()]), display: z.string().optional() })).max(10_000).optional(),
});

const stateFrom = (body: z.output<typeof ScimGroupBody>) => ({ displayName: body.displayName, externalId: body.externalId ?? null, members: memberIds(body.members ?? []) });

/** GET /Groups — the organization's teams, filtered and paged; `excludedAttributes=members` leaves members out. */
export async function listScimGroups(req: Request, res: Response) {
  const q = scimListQuery(req);
  const { total, rows } = await listGroups(req.scim!.organization, q.tests, q.startIndex, q.count);
  sendScim(res, 200, listResponse(rows.map((g) => groupResource(scimBase(req), g, !q.excluded.has("members"))), total, q.startIndex));
}

/** GET /Groups/:id — one team with its members. */
export async function showScimGroup(req: Request, res: Response) {
  const group = await getGroup(req.scim!.organization, idParam(req.params.id, "Group"));
  sendScim(res, 200, groupResource(scimBase(req), group, !excludedOf(req.query.excludedAttributes).has("members")));
}

/** POST /Groups — creates a team (201). */
export async function createScimGroup(req: Valid<typeof ScimGroupBody>, res: Response) {
  const group = await createGroup(req.scim!.organization, stateFrom(req.body));
  const resource = groupResource(scimBase(req), group);
  res.setHeader("Location", resource.meta.location);
  sendScim(res, 201, resource);
}

/** PUT /Groups/:id — replaces a team's name, externalId and members. */
export async function replaceScimGroup(req: Valid<typeof ScimGroupBody>, res: Response) {
  const group = await replaceGroup(req.scim!.organization, idParam(req.params.id, "Group"), stateFrom(req.body));
  sendScim(res, 200, groupResource(scimBase(req), group));
}

/** PATCH /Groups/:id — members added and removed, renames. */
export async function patchScimGroup(req: Valid<typeof ScimPatchBody>, res: Response) {
  const group = await patchGroup(req.scim!.organization, idParam(req.params.id, "Group"), patchOps(req.body.Operations));
  sendScim(res, 200, groupResource(scimBase(req), group));
}

/** DELETE /Groups/:id — deletes the team (204); its members stay in the organization. */
export async function deleteScimGroup(req: Request, res: Response) {
  await deleteGroup(req.scim!.organization, idParam(req.params.id, "Group"));
  res.status(204).end();
}
