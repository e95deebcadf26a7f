import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { enableTwoFactor, submitCode, submitPassword, totpCode } from "../../helpers/two-factor";
import { TestClient } from "../../helpers/client";

describe("an instance that requires two-factor authentication for everyone", () => {
  const t = useTestApp({ REQUIRE_TWO_FACTOR: "1" });

  it("sends an account without it to its security settings from every page, and refuses its forms", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    for (const path of ["/settings/profile", "/settings/tokens", "/settings/organizations", "/orgs/new", "/cli/login"]) {
      const res = await client.get(path);
      assert.equal(res.status, 302, path);
      assert.equal(res.location, "/settings/security", path);
    }
    const security = await client.get("/settings/security");
    assert.equal(security.status, 200);
    assert.match(security.html, /Two-factor authentication is required/);
    const csrf = pageCsrfToken(security.html);
    const post = await client.postRaw("/settings/profile", { _csrf: csrf, display_name: "Planted" });
    assert.equal(post.status, 403);
    assert.match(post.html, /requires two-factor authentication for every account/);
  });

  it("opens every page once it is on, and will not turn it off", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { secret } = await enableTwoFactor(client);
    assert.equal((await client.get("/settings/profile")).status, 200);
    const security = await client.get("/settings/security");
    assert.match(security.html, /cannot be turned off/);
    assert.doesNotMatch(security.html, /action="\/settings\/security\/disable"/);
    // Even a hand-made form, right after a fresh second factor, leaves it on.
    const again = new TestClient(t.baseUrl);
    await submitPassword(again, user);
    await submitCode(again, totpCode(secret, 1));
    const page = await again.get("/settings/security");
    const res = await again.postRaw("/settings/security/disable", { _csrf: pageCsrfToken(page.html) });
    assert.equal(res.status, 302);
    assert.match((await again.get("/settings/security")).html, /cannot be turned off/);
    assert.equal((await again.get("/settings/profile")).status, 200);
  });
});
