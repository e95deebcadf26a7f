import type { Config, ProviderName } from "../../config";
import { atlassianFlavour } from "./atlassian";
import { githubFlavour } from "./github";
import { gitlabFlavour } from "./gitlab";
import { googleFlavour } from "./google";
import { ProviderEmulator, type EmulatedPerson } from "./oauth-server";

/** The emulator class and the person it plays, for tests. */
export { ProviderEmulator, type EmulatedPerson };

/** The four emulated providers, in button order. */
export const EMULATED_PROVIDERS = [githubFlavour, gitlabFlavour, atlassianFlavour, googleFlavour] as const;

/** Running emulators for every provider. */
export interface ProviderEmulators {
  byName: Record<ProviderName, ProviderEmulator>;
  /** Config entries pointing Gatehouse at the emulators. */
  providers: Config["providers"];
  stop(): Promise<void>;
}

/**
 * Starts an emulator per provider: on `basePort`, `basePort + 1`, ... or on free ports when
 * `basePort` is 0 (tests).
 */
export async function startProviderEmulators(basePort = 0): Promise<ProviderEmulators> {
  const byName = {} as Record<ProviderName, ProviderEmulator>;
  const providers: Config["providers"] = {};
  for (const [i, flavour] of EMULATED_PROVIDERS.entries()) {
    const emulator = new ProviderEmulator(flavour);
    await emulator.start(basePort === 0 ? 0 : basePort + i);
    byName[flavour.provider] = emulator;
    providers[flavour.provider] = emulator.providerConfig();
  }
  return { byName, providers, stop: async () => void (await Promise.all(Object.values(byName).map((e) => e.stop()))) };
}
