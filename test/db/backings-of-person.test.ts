import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listBackingsOfPerson, markBackingBroken, setBackingSelfJoin, upsertOrganizationBacking } from "../../src/db/organization-backings";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg } from "../helpers/orgs";
import { statementsDuring } from "../helpers/statements";

/**
 * A sign-in checks only the backed organizations it concerns, found in one statement: never one
 * lookup per backed organization of the whole instance.
 */
describe("the backings a sign-in checks", () => {
  useTestApp();

  it("are the member's (not as owner) and those open to joining, of the signing-in identity's providers, working only", async () => {
    const owner = await buildUser();
    const person = await buildUser();
    const back = async (slug: string, provider: "github" | "gitlab", n: number) => {
      const org = await buildOrg(owner, { slug });
      await upsertOrganizationBacking({ organization_id: org.id, provider, provider_org_id: String(n), provider_org_login: slug, token_sealed: "x", refresh_token_sealed: null, token_expires_at: null, connected_by: owner.id });
      return org;
    };
    const member = await back("bp-member", "github", 1);
    await addMember(member, person, "member");
    const owned = await back("bp-owned", "github", 2);
    await addMember(owned, person, "owner");
    await back("bp-closed", "github", 3);
    const open = await back("bp-open", "github", 4);
    await setBackingSelfJoin(open.id, true);
    const broken = await back("bp-broken", "github", 5);
    await addMember(broken, person, "admin");
    await markBackingBroken(broken.id);
    const other = await back("bp-gitlab", "gitlab", 6);
    await addMember(other, person, "member");

    let found: Awaited<ReturnType<typeof listBackingsOfPerson>> = [];
    const statements = await statementsDuring(async () => (found = await listBackingsOfPerson(person.id, ["github"])));

    assert.equal(statements.length, 1);
    assert.deepEqual(found.map((b) => [b.provider_org_login, b.member_role]), [["bp-member", "member"], ["bp-open", null]]);
  });
});
