import type { BackingProviderName } from "../auth/providers/backing-api";
import type { ExternalProfile } from "../auth/providers/types";
import type { ProviderName } from "../config";
import type { HeldIdentity } from "../services/account-recovery";
import type { FlashMessage } from "./flash";

/**
 * Every key Gatehouse keeps in a session, declared in this one file so a reader sees at a glance
 * what a session row's `data` can hold (and a new key is added here, beside the others, with the
 * reason it must live in the session rather than in the database or the URL).
 *
 * A session is bound to one browser, so these are things that must not travel in a link or a form:
 * a secret shown once, a provider flow this browser started, an identity it proved it holds.
 * Each is consumed by the request that reads it. Pages never read the session directly.
 */
declare module "express-session" {
  interface SessionData {
    /**
     * Passport's: the signed-in user's id. The session store does not keep it in `data`: it is
     * rebuilt from the row's user_id on every read, so ending a row signs its browser out.
     */
    passport?: { user?: number };
    /** Messages for the next rendered page (Post/Redirect/Get); set by flash(), shown and removed by exposeFlash. */
    flash?: FlashMessage[];
    /**
     * The secret of the personal access token just created, kept only between the POST and the page
     * after its redirect, which removes it as it shows it: the token is shown once.
     */
    newAccessToken?: { id: number; token: string };
    /** The same for an organization token, bound to the organization it was created in. */
    newOrgAccessToken?: { organizationId: number; token: string };
    /** The same for an organization's SCIM token. */
    newScimToken?: { organizationId: number; token: string };
    /**
     * The authorization for backing an organization (GitHub, GitLab or Bitbucket) that this browser
     * started: its state and PKCE verifier (which must not travel in a URL), then the code it came
     * back with. Bound to the provider, owner and organization that started it, consumed by the
     * page that lists the groups they administer (src/routes/web/orgs/backing.ts).
     */
    orgBacking?: { provider: BackingProviderName; organizationId: number; slug: string; userId: number; state: string; verifier: string; startedAt: number; code?: string };
    /**
     * The token (and refresh token) of that authorization, sealed, and the groups it administers,
     * kept only until the owner picks one (a token in a form would reach the browser).
     */
    orgBackingChoice?: { provider: BackingProviderName; organizationId: number; userId: number; grantSealed: string; orgs: { id: string; login: string }[]; startedAt: number };
    /** The provider flow this browser started: bound to the session, consumed by the callback. */
    externalAuth?: ExternalAuthFlow;
    /** A provider sign-up that still needs an email address (branch 9 of the identity decision tree). */
    pendingIdentity?: { profile: ExternalProfile; startedAt: number };
    /**
     * The identity this browser showed it holds for an account still waiting for its address to
     * be confirmed. Following the confirmation link in this same browser keeps the identity (one
     * person holds both the mailbox and the identity); anywhere else it is removed.
     */
    heldIdentity?: HeldIdentity;
    /**
     * Where a signed-out visitor goes back to after confirming a new account's email (an
     * invitation they opened before signing up). Only ever a local path, checked when read.
     */
    returnTo?: string;
    /**
     * The row this browser's sign-up just made: the new account, or the placeholder that holds the
     * username when the address already had an account (services/signup.ts; both cases write it,
     * so the cookie tells them apart no more than the page does). Following the new account's
     * confirmation link in this same browser signs it in; the link alone does not, because a link
     * forwarded to, or read by, someone else must not open the account for them.
     */
    signupUserId?: number;
    /**
     * The username to fill in on the next sign-in form, set only after this browser proved it
     * knows the account (it followed a link mailed to it, reset the password, or was signed in to
     * it), and removed by the sign-in page that shows it. `returning` says the person has used the
     * account before, so the page may greet them as such. Never set from anything a stranger
     * types, so the form cannot tell anyone whether an account exists.
     */
    loginHint?: { username: string; returning: boolean };
    /**
     * When this session last proved who is using it (a sign-in, or /settings/reauthenticate), and
     * whether that proof included the second factor. A stolen session cookie alone is then not
     * enough to plant lasting access (a password, an identity, a token, a CLI) once it is older
     * than RECENT_AUTH_MS.
     */
    recentAuth?: { at: number; secondFactor: boolean };
    /**
     * A sign-in that passed its first factor and waits for the second (/login/two-factor). It is
     * session data, not a sign-in: whether a request is signed in comes only from the session
     * row's user_id, which only startSession writes, so this state reaches no page, form or
     * consent that needs a user. It holds what the sign-in needs to finish: who, how, where next.
     */
    pendingSignIn?: { userId: number; remember: boolean; method: string; next: string; startedAt: number; ssoOrganizationId?: number };
    /**
     * Sign-ins with organizations' identity providers started in this browser, by organization id:
     * what the IdP must see again when the browser comes back (OIDC state, nonce and PKCE verifier;
     * the SAML request id that the response's InResponseTo must name). Kept in the session because
     * they bind the answer to the browser that asked; consumed by the callback.
     */
    ssoFlows?: Record<string, SsoFlow>;
    /**
     * When this session was signed in through an organization's identity provider, by organization
     * id (src/http/org-sso.ts): an organization that requires SSO lets members in only with it.
     */
    ssoSignIns?: Record<string, number>;
    /**
     * A new set of recovery codes, kept only between the POST that made them and the page after its
     * redirect (Post/Redirect/Get), which removes them as it shows them: they are shown once.
     */
    newRecoveryCodes?: string[];
  }
}

/** A started sign-in through an organization's identity provider. */
export type SsoFlow = (
  | { protocol: "oidc"; state: string; nonce: string; codeVerifier: string }
  | { protocol: "saml"; requestId: string }
) & {
  startedAt: number;
  next: string;
  /** Set when a signed-in user links the organization's IdP from /settings/identities: the callback acts for nobody else. */
  linkUserId?: number;
  /** Set when a signed-in account without a password proves itself again through the IdP (sudo mode). */
  reauth?: { userId: number; returnTo: string };
};

/** A started sign-in, sign-up or link with an external provider. */
export interface ExternalAuthFlow {
  provider: ProviderName;
  /** "reauth": a provider-only account proving itself again for a sensitive action (sudo mode). */
  intent: "login" | "link" | "reauth";
  /** The signed-in user who asked to link or re-authenticate, so the callback acts for nobody else. */
  userId?: number;
  startedAt: number;
  /** Where a re-authentication returns to (a path on this site). */
  returnTo?: string;
}
