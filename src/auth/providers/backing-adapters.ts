import type { Config, ProviderConfig } from "../../config";
import type { BackingAdapter, BackingProviderName } from "./backing-api";
import { bitbucketBacking } from "./bitbucket-workspaces";
import { githubBacking } from "./github-orgs";
import { gitlabBacking } from "./gitlab-groups";

/** Every provider an organization can be backed by, in the order the settings page offers them. */
export const BACKING_ADAPTERS: readonly BackingAdapter[] = [githubBacking, gitlabBacking, bitbucketBacking];

/** The adapter of a provider name, or undefined for a name that is not one. */
export function findBackingAdapter(name: string): BackingAdapter | undefined {
  return BACKING_ADAPTERS.find((a) => a.name === name);
}

/** The adapter and its config when the operator configured that provider; undefined otherwise. */
export function configuredBacking(config: Config, name: string): { adapter: BackingAdapter; config: ProviderConfig } | undefined {
  const adapter = findBackingAdapter(name);
  const providerConfig = adapter?.config(config);
  return adapter && providerConfig ? { adapter, config: providerConfig } : undefined;
}

/** The adapters whose provider is configured. */
export function configuredBackingAdapters(config: Config): BackingAdapter[] {
  return BACKING_ADAPTERS.filter((a) => a.config(config));
}

export type { BackingAdapter, BackingProviderName };

/**
 * Where a provider sends the browser back after the backing authorization: a path under the
 * sign-in callback URL (GitHub and Bitbucket accept sub-paths of the registered one; a GitLab
 * application lists it as a second redirect URI). Built from BASE_URL, never from request headers.
 */
export function backingCallbackUrl(config: Config, name: BackingProviderName): string {
  return `${config.baseUrl}/auth/${name}/callback/org-backing`;
}

/** The origins of the configured backing providers' authorization pages, for the CSP's form-action. */
export function backingAuthorizationOrigins(config: Config): string[] {
  return BACKING_ADAPTERS.flatMap((a) => {
    const providerConfig = a.config(config);
    return providerConfig ? [a.authorizationOrigin(providerConfig)] : [];
  });
}
