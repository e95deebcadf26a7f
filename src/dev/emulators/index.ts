import type { Config } from "../../config";
import { atlassianFlavour } from "./atlassian";
import { bitbucketFlavour } from "./bitbucket";
import { githubFlavour } from "./github";
import { gitlabFlavour } from "./gitlab";
import { googleFlavour } from "./google";
import { ProviderEmulator, type EmulatedPerson, type EmulatedProviderName } from "./oauth-server";

/** The emulator class and the person it plays, for tests. */
export { ProviderEmulator, type EmulatedPerson, type EmulatedProviderName };

/** The emulated providers: the four sign-in ones in button order, then Bitbucket (organization backing only). */
export const EMULATED_PROVIDERS = [githubFlavour, gitlabFlavour, atlassianFlavour, googleFlavour, bitbucketFlavour] as const;

/** Running emulators for every provider. */
export interface ProviderEmulators {
  byName: Record<EmulatedProviderName, ProviderEmulator>;
  /** Config entries pointing Gatehouse at the sign-in emulators. */
  providers: Config["providers"];
  /** The same for the backing-only ones (Bitbucket). */
  backingProviders: Config["backingProviders"];
  stop(): Promise<void>;
}

/**
 * Starts an emulator per provider: on `basePort`, `basePort + 1`, ... or on free ports when
 * `basePort` is 0 (tests).
 */
export async function startProviderEmulators(basePort = 0): Promise<ProviderEmulators> {
  const byName = {} as Record<EmulatedProviderName, ProviderEmulator>;
  const providers: Config["providers"] = {};
  const backingProviders: Config["backingProviders"] = {};
  for (const [i, flavour] of EMULATED_PROVIDERS.entries()) {
    const emulator = new ProviderEmulator(flavour);
    await emulator.start(basePort === 0 ? 0 : basePort + i);
    byName[flavour.provider] = emulator;
    if (flavour.provider === "bitbucket") backingProviders.bitbucket = emulator.providerConfig();
    else providers[flavour.provider] = emulator.providerConfig();
  }
  return { byName, providers, backingProviders, stop: async () => void (await Promise.all(Object.values(byName).map((e) => e.stop()))) };
}
