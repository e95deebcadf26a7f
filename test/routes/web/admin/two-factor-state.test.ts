import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPersonalAccessToken } from "../../../../src/services/access-tokens";
import { useTestApp } from "../../../helpers/app";
import { buildUser, loginAs } from "../../../helpers/factories";
import { apiRequest } from "../../../helpers/tokens";
import { buildAdmin } from "../../../helpers/admin";
import { enableTwoFactor } from "../../../helpers/two-factor";

const META = { ip: "127.0.0.1", userAgent: "test" };

describe("admin: who has two-factor authentication", () => {
  const t = useTestApp();

  it("shows it in the users list, on the user's page and in the admin API", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada" });
    await buildUser({ username: "bob" });
    await enableTwoFactor(await loginAs(t.baseUrl, ada));
    const client = await loginAs(t.baseUrl, admin);

    const list = await client.get("/admin/users?q=ada");
    assert.match(list.html, /badge--success">2FA</);
    assert.match((await client.get("/admin/users?q=bob")).html, /No 2FA/);
    assert.match((await client.get(`/admin/users/${ada.id}`)).html, /<dt>Two-factor<\/dt><dd><span class="badge badge--success">On/);

    const { token } = await createPersonalAccessToken(t.ctx, admin, { description: "admin script", expiresInDays: 30, via: "web", admin: true }, META);
    const users = (await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/admin/users")).json()) as { data: { username: string; two_factor: boolean }[] };
    assert.deepEqual(users.data.map((u) => [u.username, u.two_factor]), [["ada", true], ["bob", false], ["root", false]]);
  });
});
