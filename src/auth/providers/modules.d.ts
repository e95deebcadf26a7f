// Type declarations for the Passport OAuth 2.0 strategies, which ship none. Only what we use.
declare module "passport-oauth2" {
  import { Strategy as PassportStrategy } from "passport-strategy";
  export interface OAuth2Client {
    get(url: string, accessToken: string, callback: (err: unknown, body?: string | Buffer) => void): void;
    useAuthorizationHeaderforGET(use: boolean): void;
  }
  export interface StrategyOptions {
    authorizationURL: string;
    tokenURL: string;
    clientID: string;
    clientSecret: string;
    callbackURL: string;
    scope?: string | string[];
    scopeSeparator?: string;
    state?: boolean;
    pkce?: boolean | "S256";
    sessionKey?: string;
    customHeaders?: Record<string, string>;
    [key: string]: unknown;
  }
  export type VerifyCallback = (err: unknown, user?: unknown, info?: unknown) => void;
  export type VerifyFunction = (accessToken: string, refreshToken: string, profile: any, done: VerifyCallback) => void;
  export default class OAuth2Strategy extends PassportStrategy {
    constructor(options: StrategyOptions, verify: VerifyFunction);
    name: string;
    protected _oauth2: OAuth2Client;
    userProfile(accessToken: string, done: (err: unknown, profile?: unknown) => void): void;
  }
  export class InternalOAuthError extends Error {
    constructor(message: string, err: unknown);
  }
}

declare module "passport-github2" {
  import OAuth2Strategy, { type StrategyOptions, type VerifyFunction } from "passport-oauth2";
  export class Strategy extends OAuth2Strategy {
    constructor(options: Omit<StrategyOptions, "authorizationURL" | "tokenURL"> & Partial<StrategyOptions>, verify: VerifyFunction);
  }
}

declare module "passport-gitlab2" {
  import OAuth2Strategy, { type StrategyOptions, type VerifyFunction } from "passport-oauth2";
  export class Strategy extends OAuth2Strategy {
    constructor(options: Omit<StrategyOptions, "authorizationURL" | "tokenURL"> & Partial<StrategyOptions>, verify: VerifyFunction);
  }
}

declare module "passport-atlassian-oauth2" {
  import OAuth2Strategy, { type StrategyOptions, type VerifyFunction } from "passport-oauth2";
  export default class AtlassianStrategy extends OAuth2Strategy {
    constructor(options: Omit<StrategyOptions, "authorizationURL" | "tokenURL"> & Partial<StrategyOptions>, verify: VerifyFunction);
  }
}
