import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beginPasskeySignIn, verifyPasskeySignIn } from "../../src/services/passkey-sign-in";
import { beginPasskeyRegistration, finishPasskeyRegistration } from "../../src/services/passkeys";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { SoftAuthenticator } from "../helpers/soft-authenticator";

const meta = { ip: "203.0.113.9", userAgent: "test" };

describe("a passkey as the second step of a sign-in", () => {
  const t = useTestApp({}, { baseHost: "localhost" });

  async function userWithKey() {
    const user = await buildUser();
    const key = new SoftAuthenticator(t.baseUrl);
    const { options, issued } = await beginPasskeyRegistration(t.config, user);
    const done = await finishPasskeyRegistration(t.config, user, { name: "Key", response: key.register(options), issued }, meta);
    assert.ok(done.ok);
    return { user, key, passkeyId: done.passkey.id };
  }

  it("lists only that user's credentials and refuses anyone else's, flagging a key used without verification", async () => {
    const first = await userWithKey();
    const second = await userWithKey();
    const { options, issued } = await beginPasskeySignIn(t.config, first.user.id);
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [first.key.id]);

    const other = await verifyPasskeySignIn(t.config, { response: second.key.assert(options.challenge), issued, userId: first.user.id }, meta);
    assert.equal(other.ok, false);

    const again = await beginPasskeySignIn(t.config, first.user.id);
    const possession = await verifyPasskeySignIn(t.config, { response: first.key.assert(again.options.challenge, { userVerified: false }), issued: again.issued, userId: first.user.id }, meta);
    assert.ok(possession.ok);
    assert.equal(possession.secondFactorRequired, true);
    assert.equal(possession.user.id, first.user.id);

    const open = await beginPasskeySignIn(t.config);
    assert.equal(open.options.allowCredentials, undefined, "sign-in without a username lists nothing");
  });
});
