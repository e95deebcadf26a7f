import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { wantsEmail } from "../../../../src/services/notification-preferences";
import { useTestApp } from "../../../helpers/app";
import { TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";

/** Whether the checkbox with this id is checked on the page. */
function checked(html: string, id: string): boolean {
  const input = html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))?.[0];
  assert.ok(input, `no input #${id}`);
  return /\bchecked\b/.test(input);
}

describe("settings: notifications", () => {
  const t = useTestApp();

  it("shows security as always on and the defaults: organization on, product news off", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const page = await client.get("/settings/notifications");
    assert.equal(page.status, 200);
    assert.match(page.html, /<input type="checkbox" id="notify-security" checked disabled/);
    assert.match(page.html, /Always on/);
    assert.equal(checked(page.html, "notify-organization"), true);
    assert.equal(checked(page.html, "notify-product"), false);
    assert.equal(await wantsEmail(user.id, "security"), true);
    assert.equal(await wantsEmail(user.id, "organization"), true);
    assert.equal(await wantsEmail(user.id, "product"), false);
  });

  it("saves the choices, and wantsEmail honours them", async () => {
    const user = await buildUser();
    const other = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/notifications", { product: "on" });
    assert.equal(res.status, 302);
    const page = await client.get("/settings/notifications");
    assert.match(page.html, /Your notification settings have been saved\./);
    assert.equal(checked(page.html, "notify-organization"), false);
    assert.equal(checked(page.html, "notify-product"), true);
    assert.equal(await wantsEmail(user.id, "organization"), false);
    assert.equal(await wantsEmail(user.id, "product"), true);
    assert.equal(await wantsEmail(other.id, "organization"), true, "another user's choices are their own");

    await client.submit("/settings/notifications", { organization: "on" });
    assert.equal(await wantsEmail(user.id, "organization"), true);
    assert.equal(await wantsEmail(user.id, "product"), false);
    await db.transaction(async (trx) => assert.equal(await wantsEmail(user.id, "organization", trx), true));
  });

  it("keeps security mail on even against a forged request", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/notifications", { security: "off", organization: "on" });
    assert.equal(res.status, 302);
    assert.equal(await wantsEmail(user.id, "security"), true);
    assert.equal(await db("notification_preferences").where({ user_id: user.id, category: "security" }).first(), undefined);
    await assert.rejects(
      db("notification_preferences").insert({ user_id: user.id, category: "security", email: false }),
      /notification_preferences_category_check/,
      "the database refuses a security preference too",
    );
  });

  it("answers 422 to values a checkbox never sends, and needs sign-in and CSRF", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const odd = await client.submit("/settings/notifications", { organization: "yes please" });
    assert.equal(odd.status, 422);
    assert.match(odd.html, /could not be read/);
    assert.equal(await db("notification_preferences").where({ user_id: user.id }).first(), undefined);
    const forged = await client.postRaw("/settings/notifications", { _csrf: "forged", product: "on" });
    assert.equal(forged.status, 403);
    assert.equal(await wantsEmail(user.id, "product"), false);
    const anonymous = await new TestClient(t.baseUrl).get("/settings/notifications");
    assert.equal(anonymous.status, 302);
  });
});
