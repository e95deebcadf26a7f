import { badValue, stringValue, type PatchOp } from "./patch";

/** What the IdP controls of a team: the state PUT replaces and PATCH edits. Members are user ids. */
export interface ScimGroupState {
  displayName: string;
  externalId: string | null;
  members: number[];
}

const MEMBER_BY_VALUE = /^members\[value eq "([^"]*)"\]$/i;

/** The user ids of a `members` value: an array of `{ "value": "<id>" }` (or one such object). */
export function memberIds(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    const id = typeof m === "object" && m !== null ? (m as { value?: unknown }).value : undefined;
    const n = Number(id);
    if ((typeof id !== "string" && typeof id !== "number") || !Number.isSafeInteger(n) || n <= 0) throw badValue("members");
    return n;
  });
}

/**
 * Applies PATCH operations to a group's state: members added and removed as Entra ID sends them
 * (`"path": "members"` with a value array) and as Okta does (`members[value eq "id"]` to remove
 * one, `{"op": "replace", "value": {"id", "displayName"}}` to rename). Attributes the Group schema
 * does not have are ignored, like the User's.
 */
export function applyGroupPatch(state: ScimGroupState, ops: PatchOp[]): ScimGroupState {
  const next: ScimGroupState = { ...state, members: [...state.members] };
  for (const { op, path, value } of ops) {
    if (path) applyPath(next, op, path, value);
    else {
      if (!value || typeof value !== "object" || Array.isArray(value)) throw badValue("the operation");
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) applyPath(next, op, key, v);
    }
  }
  return next;
}

function applyPath(state: ScimGroupState, op: PatchOp["op"], path: string, value: unknown): void {
  const key = path.toLowerCase();
  if (key === "members") {
    if (op === "remove") {
      const gone = value === undefined ? new Set(state.members) : new Set(memberIds(value));
      state.members = state.members.filter((id) => !gone.has(id));
    } else {
      const given = value === null ? [] : memberIds(value);
      state.members = op === "replace" ? [...new Set(given)] : [...new Set([...state.members, ...given])];
    }
  } else if (key === "displayname") {
    if (op === "remove") throw badValue("displayName");
    state.displayName = stringValue(value, "displayName", 64);
  } else if (key === "externalid") {
    state.externalId = op === "remove" || value === null ? null : stringValue(value, "externalId");
  } else {
    const one = MEMBER_BY_VALUE.exec(path);
    if (one && op === "remove") state.members = state.members.filter((id) => String(id) !== one[1]);
    else if (one) throw badValue("members");
  }
}
