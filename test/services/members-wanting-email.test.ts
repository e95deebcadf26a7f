import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg } from "../helpers/orgs";
import { membersWantingEmail, saveEmailPreferences } from "../../src/services/notification-preferences";

describe("the members who want a category of mail", () => {
  useTestApp();

  it("are those with the roles asked for whose choice is on, or unset where the category is on by default", async () => {
    const owner = await buildUser({ username: "owner-default" });
    const quietAdmin = await buildUser({ username: "admin-off" });
    const keenAdmin = await buildUser({ username: "admin-on" });
    const member = await buildUser({ username: "member-default" });
    const org = await buildOrg(owner);
    await addMember(org, quietAdmin, "admin");
    await addMember(org, keenAdmin, "admin");
    await addMember(org, member, "member");
    await saveEmailPreferences(quietAdmin.id, { organization: false, product: false });
    await saveEmailPreferences(keenAdmin.id, { organization: true, product: true });
    // Someone elsewhere with every mail on is never a member of this organization's list.
    const outsider = await buildUser({ username: "outsider" });
    await buildOrg(outsider);
    await saveEmailPreferences(outsider.id, { organization: true, product: true });

    const names = async (roles: Parameters<typeof membersWantingEmail>[1], category: Parameters<typeof membersWantingEmail>[2]) =>
      (await membersWantingEmail(org.id, roles, category)).map((m) => m.username).sort();
    assert.deepEqual(await names(["owner", "admin"], "organization"), ["admin-on", "owner-default"]);
    assert.deepEqual(await names(["owner", "admin", "member"], "organization"), ["admin-on", "member-default", "owner-default"]);
    assert.deepEqual(await names(["owner"], "organization"), ["owner-default"]);
    // Product news is off until chosen.
    assert.deepEqual(await names(["owner", "admin", "member"], "product"), ["admin-on"]);
    const [one] = await membersWantingEmail(org.id, ["owner"], "organization");
    assert.deepEqual(one, { user_id: owner.id, username: owner.username, email: owner.email });
  });
});
