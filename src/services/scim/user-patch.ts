import type { ScimEmail, ScimName, ScimProfile } from "../../db/scim-users";
import { badValue, booleanValue, corePath, stringValue, type PatchOp } from "./patch";

/** What the IdP controls of a person in one organization: the state PUT replaces and PATCH edits. */
export interface ScimUserState {
  userName: string;
  externalId: string | null;
  active: boolean;
  profile: ScimProfile;
}

const NAME_PARTS: Record<string, keyof ScimName> = {
  formatted: "formatted", familyname: "familyName", givenname: "givenName", middlename: "middleName", honorificprefix: "honorificPrefix", honorificsuffix: "honorificSuffix",
};

const EMAIL_BY_TYPE = /^emails\[type eq "([^"]*)"\](?:\.(value|primary|display))?$/i;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
/** The most emails a User keeps (POST and PUT bodies say the same). */
const MAX_EMAILS = 10;

/** An email element of a request, checked. */
export function emailValue(value: unknown): ScimEmail {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== "object" || typeof v.value !== "string" || !EMAIL_SHAPE.test(v.value.trim()) || v.value.length > 320) throw badValue("emails");
  const email: ScimEmail = { value: v.value.trim() };
  if (typeof v.type === "string") email.type = v.type;
  if (v.primary !== undefined) email.primary = booleanValue(v.primary, "emails.primary");
  if (typeof v.display === "string") email.display = v.display;
  return email;
}

/** A name object of a request, checked. */
export function nameValue(value: unknown): ScimName {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badValue("name");
  const name: ScimName = {};
  for (const [key, part] of Object.entries(value as Record<string, unknown>)) {
    const k = NAME_PARTS[key.toLowerCase()];
    if (k && part !== null && part !== undefined) name[k] = stringValue(part, `name.${k}`);
  }
  return name;
}

/**
 * Applies PATCH operations to a user's state and returns the new state; the caller saves it as a
 * PUT would. Attributes outside Gatehouse's User schema (title, phone numbers, the enterprise
 * extension, which Entra ID maps by default) are ignored, as RFC 7644 §3.3 lets a service provider
 * ignore attributes it does not support, so a default mapping does not fail every request.
 */
export function applyUserPatch(state: ScimUserState, ops: PatchOp[]): ScimUserState {
  const next: ScimUserState = { ...state, profile: { ...state.profile, name: state.profile.name && { ...state.profile.name }, emails: state.profile.emails?.map((e) => ({ ...e })) } };
  for (const { op, path, value } of ops) {
    if (path) applyPath(next, op, path, value);
    else {
      // No path: the value is an object of attributes (Okta: {"active": false}; Entra: {"name.givenName": "x"}).
      if (!value || typeof value !== "object" || Array.isArray(value)) throw badValue("the operation");
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) applyPath(next, op, corePath(key), v);
    }
  }
  // The same bound as a POST or PUT body, so repeated adds cannot grow the record without end.
  if ((next.profile.emails?.length ?? 0) > MAX_EMAILS) throw badValue("emails");
  return next;
}

function applyPath(state: ScimUserState, op: PatchOp["op"], path: string, value: unknown): void {
  const key = path.toLowerCase();
  const remove = op === "remove";
  const p = state.profile;
  if (key === "active") {
    if (remove) throw badValue("active");
    state.active = booleanValue(value, "active");
  } else if (key === "username") {
    if (remove) throw badValue("userName");
    state.userName = stringValue(value, "userName");
  } else if (key === "externalid") {
    state.externalId = remove || value === null ? null : stringValue(value, "externalId");
  } else if (key === "displayname") {
    if (remove || value === null) delete p.displayName;
    else p.displayName = stringValue(value, "displayName");
  } else if (key === "name") {
    if (remove || value === null) delete p.name;
    else p.name = op === "add" ? { ...p.name, ...nameValue(value) } : nameValue(value);
  } else if (key.startsWith("name.") && NAME_PARTS[key.slice(5)]) {
    const part = NAME_PARTS[key.slice(5)]!;
    p.name = { ...p.name };
    if (remove || value === null) delete p.name[part];
    else p.name[part] = stringValue(value, `name.${part}`);
  } else if (key === "emails") {
    applyEmails(state, op, value);
  } else {
    const byType = EMAIL_BY_TYPE.exec(path);
    if (byType) applyEmailOfType(state, op, byType[1]!, byType[2]?.toLowerCase(), value);
  }
}

function applyEmails(state: ScimUserState, op: PatchOp["op"], value: unknown): void {
  const p = state.profile;
  if (op === "remove") {
    if (value === undefined) delete p.emails;
    else {
      const gone = new Set((Array.isArray(value) ? value : [value]).map((v) => emailValue(v).value.toLowerCase()));
      p.emails = (p.emails ?? []).filter((e) => !gone.has(e.value.toLowerCase()));
    }
    return;
  }
  const given = (Array.isArray(value) ? value : [value]).map(emailValue);
  if (op === "replace") p.emails = given;
  else {
    const fresh = new Set(given.map((e) => e.value.toLowerCase()));
    p.emails = [...(p.emails ?? []).filter((e) => !fresh.has(e.value.toLowerCase())), ...given];
  }
}

function applyEmailOfType(state: ScimUserState, op: PatchOp["op"], type: string, sub: string | undefined, value: unknown): void {
  const p = state.profile;
  const others = (p.emails ?? []).filter((e) => e.type !== type);
  const current = (p.emails ?? []).find((e) => e.type === type);
  if (op === "remove") {
    p.emails = others;
    return;
  }
  if (!sub) {
    p.emails = [...others, { ...emailValue(value), type }];
  } else if (sub === "value") {
    const email = emailValue({ value });
    p.emails = [...others, { ...current, value: email.value, type, primary: current?.primary ?? others.length === 0 }];
  } else if (current) {
    if (sub === "primary") current.primary = booleanValue(value, "emails.primary");
    else current.display = stringValue(value, "emails.display");
    p.emails = [...others, current];
  } else {
    throw badValue(`emails[type eq "${type}"]`);
  }
}
