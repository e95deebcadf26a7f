import http from "node:http";
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import Provider from "oidc-provider";

/** The person the test IdP signs in, changeable between tests. */
export interface OidcTestUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
}

/** A running OpenID provider (panva's oidc-provider) with one client. */
export interface OidcTestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next sign-in is (the interaction route logs them in without a form). */
  user: OidcTestUser;
  /** Registers our redirect URI for the client (it names the organization's id, known after it is created). */
  allowRedirectUri(uri: string): void;
}

/**
 * Starts oidc-provider in the test process: a confidential client (code flow, PKCE required),
 * development interactions off, and an interaction route of our own that logs the configured
 * `user` in and grants the requested scopes at once, as a person pressing "Sign in" would.
 */
export function useOidcIdp(): OidcTestIdp {
  const idp = {
    clientId: "gatehouse-test",
    clientSecret: crypto.randomBytes(24).toString("hex"),
    user: { sub: "oidc-user-1", email: "ada@acme.test", email_verified: true, name: "Ada Lovelace" },
    redirectUris: [] as string[],
  } as OidcTestIdp & { redirectUris: string[] };
  idp.allowRedirectUri = (uri) => void idp.redirectUris.push(uri);
  let server: http.Server;

  before(async () => {
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    idp.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const provider = new Provider(idp.issuer, {
      clients: [{
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // Checked per request, so a test can register the URI once it knows the organization.
        redirect_uris: ["http://127.0.0.1/placeholder"],
      }],
      jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" } as never] },
      cookies: { keys: ["test-cookie-key"] },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ ...idp.user, sub }) }),
    });
    // The client's redirect URIs follow the test's registrations.
    const { Client } = provider as unknown as { Client: { prototype: { redirectUriAllowed(uri: string): boolean } } };
    Client.prototype.redirectUriAllowed = (uri: string) => idp.redirectUris.includes(uri);
    const callback = provider.callback();
    server.on("request", (req, res) => {
      if (!req.url?.startsWith("/interaction/")) return callback(req, res);
      void interact(provider, idp, req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return idp;
}

async function interact(provider: Provider, idp: OidcTestIdp, req: http.IncomingMessage, res: http.ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    await provider.interactionFinished(req, res, { login: { accountId: idp.user.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}
