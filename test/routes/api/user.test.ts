import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { buildUser } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { db } from "../../../src/db/knex";
import type { UserRow } from "../../../src/db/users";

describe("API: PATCH /api/v1/user", () => {
  const t = useTestApp();

  async function setup() {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    const patch = (body: unknown) => apiRequest(t.baseUrl, token, "PATCH", "/api/v1/user", body);
    return { user, token, patch };
  }

  it("changes username and profile fields with the web's rules", async () => {
    const { user, patch } = await setup();
    const res = await patch({ username: "Ada-Lovelace", display_name: "  Ada Lovelace ", bio: "Engines.\r\nNotes.", links: ["https://example.test/ada", "http://example.test/b"], profile_public: true });
    assert.equal(res.status, 200);
    const { data } = await res.json();
    assert.equal(data.username, "Ada-Lovelace");
    assert.equal(data.display_name, "Ada Lovelace");
    assert.equal(data.bio, "Engines.\nNotes.");
    assert.deepEqual(data.links, ["https://example.test/ada", "http://example.test/b"]);
    assert.equal(data.profile_public, true);
    const row = await db<UserRow>("users").where({ id: user.id }).first();
    assert.equal(row!.username, "Ada-Lovelace");
    const events = (await db("security_events").where({ user_id: user.id }).select("action")).map((e: { action: string }) => e.action);
    assert.ok(events.includes("username.changed") && events.includes("profile.updated"));

    const partial = await (await patch({ bio: "" })).json();
    assert.equal(partial.data.bio, "");
    assert.equal(partial.data.display_name, "Ada Lovelace", "fields not sent stay as they were");
    assert.deepEqual(partial.data.links, ["https://example.test/ada", "http://example.test/b"]);
  });

  it("refuses bad values with 422 per field and writes nothing", async () => {
    const { user, patch } = await setup();
    await buildUser({ username: "taken-name" });
    const cases: [unknown, string][] = [
      [{ username: "taken-name", display_name: "Changed" }, "username"],
      [{ username: "settings" }, "username"],
      [{ username: "bad name!" }, "username"],
      [{ links: ["javascript:alert(1)"], display_name: "Changed" }, "links"],
      [{ links: ["https://a.test", "https://b.test", "https://c.test", "https://d.test", "https://e.test"] }, "links"],
      [{ bio: "x".repeat(161) }, "bio"],
      [{ display_name: 42 }, "display_name"],
      [{ profile_public: "yes" }, "profile_public"],
      [{ password_hash: "x" }, "password_hash"],
      [{ email_confirmed_at: null }, "email_confirmed_at"],
    ];
    for (const [body, field] of cases) {
      const res = await patch(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      const json = await res.json();
      assert.ok(json.error.fields[field], `${JSON.stringify(body)} -> ${JSON.stringify(json.error.fields)}`);
    }
    const row = await db<UserRow>("users").where({ id: user.id }).first();
    assert.equal(row!.username, user.username);
    assert.equal(row!.display_name, "");
  });

  it("changes the email only through the mailed confirmation, with the current password", async () => {
    const { user, token, patch } = await setup();
    const missing = await patch({ email: "new@example.test" });
    assert.equal(missing.status, 422);
    assert.ok((await missing.json()).error.fields.current_password);
    const wrong = await patch({ email: "new@example.test", current_password: "not my password" });
    assert.equal(wrong.status, 422);
    assert.equal((await wrong.json()).error.fields.current_password, "That is not your current password.");
    const bad = await patch({ email: "not an email", current_password: user.password });
    assert.equal(bad.status, 422);

    const ok = await patch({ email: "New@Example.test", current_password: user.password });
    assert.equal(ok.status, 200);
    const { data } = await ok.json();
    assert.equal(data.email, user.email, "the address has not changed yet");
    assert.equal(data.pending_email, "New@Example.test");
    const shown = (await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).json()).data;
    assert.equal(shown.pending_email, "New@Example.test", "GET shows the pending change too");
    const mail = await t.mailbox.waitFor("new@example.test");
    const link = linkIn(mail, "/email/confirm/");
    await t.mailbox.waitFor(user.email, (m) => m.subject !== mail.subject);
    const same = await patch({ email: user.email.toUpperCase() });
    assert.equal(same.status, 200, "the current address needs no password and changes nothing");
    assert.ok(link.startsWith(t.baseUrl));
  });

  it("refuses an email change for an account without a password", async () => {
    const user = await buildUser({ password: null });
    const { token } = await buildAccessToken(t.ctx, user);
    const res = await apiRequest(t.baseUrl, token, "PATCH", "/api/v1/user", { email: "other@example.test", current_password: "anything at all" });
    assert.equal(res.status, 422);
    assert.match((await res.json()).error.fields.email, /Set a password first/);
  });
});
