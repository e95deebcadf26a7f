import type { AppContext } from "../../src/context";
import type { UserRow } from "../../src/db/users";
import { createPersonalAccessToken } from "../../src/services/access-tokens";

/** Creates a personal access token for `user` through the real service; returns the secret and row. */
export async function buildAccessToken(ctx: AppContext, user: Pick<UserRow, "id" | "username" | "email">, opts: { description?: string; expiresInDays?: number | null; canCreateTokens?: boolean } = {}) {
  const { row, token } = await createPersonalAccessToken(
    ctx,
    user,
    { description: opts.description ?? "test token", expiresInDays: opts.expiresInDays === undefined ? 90 : opts.expiresInDays, via: "web", canCreateTokens: opts.canCreateTokens },
    { ip: "127.0.0.1", userAgent: "test" },
  );
  return { row, token };
}

/** fetch() against the app with a bearer token and an optional JSON body. */
export function apiRequest(baseUrl: string, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(new URL(path, baseUrl), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
}
