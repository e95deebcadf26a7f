import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { ProviderName } from "../../src/config";
import { startProviderEmulators, type EmulatedPerson, type EmulatedProviderName, type ProviderEmulator, type ProviderEmulators } from "../../src/dev/emulators";
import type { Page, TestClient } from "./client";

const PREFIX: Record<EmulatedProviderName, string> = { github: "GITHUB", gitlab: "GITLAB", atlassian: "ATLASSIAN", google: "GOOGLE", bitbucket: "BITBUCKET" };

/**
 * Starts the provider emulators (the four sign-in ones and Bitbucket) before the app and writes their settings into `env`, the
 * object the caller then passes to useTestApp (its `before` hook reads it after this one ran).
 * Call it before useTestApp.
 */
export function useProviderEmulators(env: Record<string, string>): { byName: Record<EmulatedProviderName, ProviderEmulator> } {
  const handle = {} as { byName: Record<EmulatedProviderName, ProviderEmulator> };
  let running: ProviderEmulators;
  before(async () => {
    running = await startProviderEmulators(0);
    handle.byName = running.byName;
    for (const [name, cfg] of Object.entries({ ...running.providers, ...running.backingProviders }) as [EmulatedProviderName, NonNullable<ProviderEmulators["providers"][ProviderName]>][]) {
      env[`${PREFIX[name]}_CLIENT_ID`] = cfg.clientId;
      env[`${PREFIX[name]}_CLIENT_SECRET`] = cfg.clientSecret;
      Object.assign(env, cfg.urls);
    }
  });
  after(async () => {
    await running?.stop();
  });
  return handle;
}

/** Presses a provider's button on `pagePath` (a POST with the page's CSRF token); returns the authorize URL. */
export async function startProviderFlow(client: TestClient, provider: ProviderName, pagePath = "/login", intent?: "link"): Promise<string> {
  const res = await client.submit(pagePath, intent ? { intent } : {}, `/auth/${provider}`);
  assert.equal(res.status, 302, `POST /auth/${provider} answered ${res.status}`);
  return res.location!;
}

/** Follows the provider's redirect back to Gatehouse's callback with the client's cookies. */
export function followCallback(client: TestClient, callbackUrl: string): Promise<Page> {
  const url = new URL(callbackUrl);
  return client.get(url.pathname + url.search);
}

/**
 * A whole provider round trip: press the button, answer the emulator's consent page as `person`
 * (approve unless told), come back to the callback. Returns the callback's answer.
 */
export async function viaProvider(
  client: TestClient,
  emulator: ProviderEmulator,
  person: Partial<EmulatedPerson>,
  opts: { page?: string; intent?: "link"; decision?: "approve" | "deny" } = {},
): Promise<Page> {
  const authorize = await startProviderFlow(client, emulator.flavour.provider as ProviderName, opts.page ?? "/login", opts.intent);
  const callback = await emulator.decide(authorize, opts.decision ?? "approve", person);
  return followCallback(client, callback);
}
