import type { Passport } from "passport";
import type { Config, ProviderName } from "../../config";
import { atlassian } from "./atlassian";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { google } from "./google";
import type { ProviderDefinition } from "./types";
import type { InstanceSettingsValues } from "../../services/instance-settings";

/** Every provider Gatehouse knows, in the order their buttons appear. */
export const PROVIDERS: readonly ProviderDefinition[] = [github, gitlab, atlassian, google];

/** A configured provider as views see it. */
export interface EnabledProvider {
  name: ProviderName;
  label: string;
}

/** The providers that are configured (client id and secret set), in button order. */
export function enabledProviders(config: Config): EnabledProvider[] {
  return PROVIDERS.filter((p) => config.providers[p.name]).map((p) => ({ name: p.name, label: p.label }));
}

/** The configured providers the instance settings do not hide: the buttons people see. */
export function visibleProviders(config: Config, settings: Pick<InstanceSettingsValues, "hiddenProviders">): EnabledProvider[] {
  return enabledProviders(config).filter((p) => !settings.hiddenProviders.includes(p.name));
}

/**
 * The definition of a configured provider by its URL name, or undefined (unknown, not configured,
 * or hidden by the instance settings: a hidden provider's routes answer 404 like an unconfigured one's).
 */
export function findEnabledProvider(config: Config, name: string, settings: Pick<InstanceSettingsValues, "hiddenProviders">): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.name === name && config.providers[p.name] && !settings.hiddenProviders.includes(p.name));
}

/**
 * Registers a Passport strategy for each configured provider, and only those: an unconfigured
 * provider has no strategy, no button and no working route. The callback URL is built from
 * BASE_URL, never from request headers, so a forged Host cannot redirect codes elsewhere.
 */
export function registerProviderStrategies(passport: InstanceType<typeof Passport>, config: Config): void {
  for (const provider of PROVIDERS) {
    const providerConfig = config.providers[provider.name];
    if (!providerConfig) continue;
    passport.use(provider.name, provider.createStrategy(providerConfig, `${config.baseUrl}/auth/${provider.name}/callback`));
  }
}

/**
 * The origins of the configured providers' authorization pages. The CSP's form-action must allow
 * them: a sign-in button is a POST form whose answer redirects there, and browsers apply
 * form-action to that redirect too.
 */
export function authorizationOrigins(config: Config): string[] {
  return PROVIDERS.flatMap((p) => {
    const providerConfig = config.providers[p.name];
    return providerConfig ? [p.authorizationOrigin(providerConfig)] : [];
  });
}

/** The origins the configured providers serve avatars from, each once (the CSP's img-src lists them). */
export function avatarOrigins(config: Config): string[] {
  const origins = PROVIDERS.flatMap((p) => {
    const providerConfig = config.providers[p.name];
    return providerConfig ? p.avatarOrigins(providerConfig) : [];
  });
  return [...new Set(origins)];
}
