import type { OrganizationRow } from "../../../src/db/organizations";
import type { UserRow } from "../../../src/db/users";
import { createScimToken } from "../../../src/services/scim/tokens";

/** A SCIM token of `org` made by its owner through the real service. */
export async function buildScimToken(org: OrganizationRow, owner: Pick<UserRow, "id" | "username">): Promise<string> {
  return (await createScimToken(org, { kind: "user", role: "owner", user_id: owner.id, username: owner.username })).token;
}

/** A SCIM request against the app: JSON body sent as application/scim+json unless `contentType` says otherwise. */
export async function scim(baseUrl: string, token: string | undefined, method: string, path: string, body?: unknown, contentType = "application/scim+json") {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": contentType } : {}), accept: "application/scim+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** Waits for the next minute when this one ends in under 5 seconds: the per-token limit counts per clock minute. */
export async function clearOfMinuteEnd() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
