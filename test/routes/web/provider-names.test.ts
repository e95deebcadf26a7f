import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { listIdentitiesForUser } from "../../../src/db/identities";
import { useTestApp } from "../../helpers/app";
import { TestClient } from "../../helpers/client";
import { useProviderEmulators, viaProvider } from "../../helpers/providers";

/** A provider profile whose name carries a bidi override and a line break: cleaned, and the sign-up still works. */
describe("names from providers", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  it("signs up with the provider's name cleaned by the display-name rule", async () => {
    const client = new TestClient(t.baseUrl);
    const res = await viaProvider(client, emu.byName.gitlab, { login: "spoofer", name: "Ana\u202Egnp.exe\nBcc: x\u200E", email: "spoofer@example.test", emailVerified: true });
    assert.equal(res.status, 302);
    const user = await db("users").where({ email: "spoofer@example.test" }).first();
    assert.equal(user.display_name, "Anagnp.exe Bcc: x");
    const [identity] = await listIdentitiesForUser(user.id);
    assert.equal(identity!.provider_username, "spoofer");
  });
});
