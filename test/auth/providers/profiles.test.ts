import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { mapAtlassianProfile, type AtlassianUser } from "../../../src/auth/providers/atlassian";
import { mapGitHubProfile, type GitHubEmail, type GitHubUser } from "../../../src/auth/providers/github";
import { mapGitLabProfile, type GitLabUser } from "../../../src/auth/providers/gitlab";
import { mapGoogleProfile, type GoogleUserInfo } from "../../../src/auth/providers/google";
import { PROVIDERS } from "../../../src/auth/providers";
import { acceptedAvatarUrl } from "../../../src/auth/providers/types";
import { usernameFromProviderName } from "../../../src/services/provider-usernames";

/** Recorded-shape answers of each provider's documented user API (values invented). */
function fixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../fixtures/providers", name), "utf8")) as T;
}

describe("provider profile mapping", () => {
  it("GitHub: id, login, name, avatar, and only a verified address from /user/emails", () => {
    const user = fixture<GitHubUser>("github-user.json");
    const emails = fixture<GitHubEmail[]>("github-emails.json");
    assert.deepEqual(mapGitHubProfile(user, emails), {
      provider: "github",
      id: "583231",
      username: "octocat",
      displayName: "The Octocat",
      avatarUrl: "https://avatars.githubusercontent.com/u/583231?v=4",
      verifiedEmail: "octocat@example.test",
    });
  });

  it("GitHub: the public /user email and unverified or noreply addresses never count", () => {
    const user = fixture<GitHubUser>("github-user.json");
    const emails = fixture<GitHubEmail[]>("github-emails.json").map((e) => (e.primary ? { ...e, verified: false } : e));
    assert.equal(mapGitHubProfile(user, emails).verifiedEmail, null);
    assert.equal(mapGitHubProfile({ ...user, name: null }, []).displayName, "octocat");
  });

  it("GitLab: the primary email counts only when the account is confirmed", () => {
    const user = fixture<GitLabUser>("gitlab-user.json");
    assert.deepEqual(mapGitLabProfile(user), {
      provider: "gitlab",
      id: "1234567",
      username: "jane_doe",
      displayName: "Jane Doe",
      avatarUrl: "https://gitlab.com/uploads/-/system/user/avatar/1234567/avatar.png",
      verifiedEmail: "jane@example.test",
    });
    assert.equal(mapGitLabProfile({ ...user, confirmed_at: null }).verifiedEmail, null);
  });

  it("Atlassian: account_id, nickname, and the address only with email_verified true", () => {
    const me = fixture<AtlassianUser>("atlassian-me.json");
    assert.deepEqual(mapAtlassianProfile(me), {
      provider: "atlassian",
      id: "712020:1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
      username: "mia.krystof",
      displayName: "Mia Krystof",
      avatarUrl: "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/712020:1b2c3d4e/128",
      verifiedEmail: "mia@example.test",
    });
    assert.equal(mapAtlassianProfile({ ...me, email_verified: false }).verifiedEmail, null);
    const { email_verified: _dropped, ...withoutFlag } = me;
    assert.equal(mapAtlassianProfile(withoutFlag).verifiedEmail, null, "a missing flag is not a yes");
  });

  it("Google: sub as id, the address's local part as username, email_verified required", () => {
    const info = fixture<GoogleUserInfo>("google-userinfo.json");
    assert.deepEqual(mapGoogleProfile(info), {
      provider: "google",
      id: "110169484474386276334",
      username: "ana.lima",
      displayName: "Ana Lima",
      avatarUrl: "https://lh3.googleusercontent.com/a/ACg8ocJ=s96-c",
      verifiedEmail: "ana.lima@example.test",
    });
    assert.equal(mapGoogleProfile({ ...info, email_verified: false }).verifiedEmail, null);
  });

  it("refuses a profile without a provider user id", () => {
    assert.throws(() => mapGoogleProfile({ sub: "" }), /without a user id/);
    assert.throws(() => mapAtlassianProfile({} as AtlassianUser), /without a user id/);
  });

  it("turns provider names into usernames of our format", () => {
    assert.equal(usernameFromProviderName("jane_doe"), "jane-doe");
    assert.equal(usernameFromProviderName("mia.krystof"), "mia-krystof");
    assert.equal(usernameFromProviderName("--José__Ñ--"), "Jose-N");
    assert.equal(usernameFromProviderName("日本"), "user");
    assert.equal(usernameFromProviderName("a".repeat(60)).length, 39);
  });
  it("cleans names from every provider by the display-name rule instead of refusing the sign-in", () => {
    const evil = "Ana\u202Egnp.exe\r\nBcc: x\u200E";
    const clean = "Anagnp.exe Bcc: x";
    const github = mapGitHubProfile({ id: 1, login: "ana\u2066", name: evil }, []);
    assert.deepEqual([github.username, github.displayName], ["ana", clean]);
    const gitlab = mapGitLabProfile({ id: 2, username: "ana\u0000lab", name: evil });
    assert.deepEqual([gitlab.username, gitlab.displayName], ["analab", clean]);
    const atlassian = mapAtlassianProfile({ account_id: "x", nickname: "\u202Bnick", name: evil });
    assert.deepEqual([atlassian.username, atlassian.displayName], ["nick", clean]);
    const google = mapGoogleProfile({ sub: "3", name: evil, email: "g\u202Eo@example.test", email_verified: true });
    assert.deepEqual([google.username, google.displayName], ["go", clean]);
    // A name made only of such characters falls back like a missing one.
    assert.equal(mapGitHubProfile({ id: 4, login: "octo", name: "\u202E\u200F" }, []).displayName, "octo");
  });
});

describe("provider avatar URLs", () => {
  const originsOf = (name: string, urls: Record<string, string> = {}) => PROVIDERS.find((p) => p.name === name)!.avatarOrigins({ clientId: "id", clientSecret: "secret", urls });

  it("keeps the pictures the real providers document, on their https image hosts", () => {
    const cases: [string, string | null | undefined][] = [
      ["github", fixture<GitHubUser>("github-user.json").avatar_url],
      ["gitlab", fixture<GitLabUser>("gitlab-user.json").avatar_url],
      ["gitlab", "https://secure.gravatar.com/avatar/0b4d?s=80&d=identicon"],
      ["atlassian", fixture<AtlassianUser>("atlassian-me.json").picture],
      ["google", "https://lh3.googleusercontent.com/a/ACg8ocJ=s96-c"],
    ];
    for (const [name, url] of cases) assert.equal(acceptedAvatarUrl(url!, originsOf(name)), url, `${name}: ${url}`);
  });

  it("drops plain http, other hosts, other schemes and credentials; a configured base URL is the provider's own host", () => {
    const github = originsOf("github");
    for (const url of ["http://avatars.githubusercontent.com/u/1?v=4", "https://avatars.githubusercontent.com.evil.example/u/1", "https://evil.example/u/1", "javascript:alert(1)", "data:image/png;base64,AAAA", "//avatars.githubusercontent.com/u/1", "https://me:pw@avatars.githubusercontent.com/u/1", "", "x".repeat(3000)]) {
      assert.equal(acceptedAvatarUrl(url, github), null, url);
    }
    // GitHub Enterprise Server serves avatars from itself; github.com's image host is then not the provider's.
    const enterprise = originsOf("github", { GITHUB_URL: "https://ghe.example.com" });
    assert.equal(acceptedAvatarUrl("https://ghe.example.com/avatars/u/3?v=4", enterprise), "https://ghe.example.com/avatars/u/3?v=4");
    assert.equal(acceptedAvatarUrl("https://avatars.githubusercontent.com/u/3?v=4", enterprise), null);
  });
});
