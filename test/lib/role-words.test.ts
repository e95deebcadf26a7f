import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { roleBadgeClass, roleLabel, roleWithArticle } from "../../src/lib/role-words";
import { ORG_ROLES } from "../../src/policies/organizations";

describe("role words", () => {
  it("names every role, with its article and badge", () => {
    const table = ORG_ROLES.map((r) => [r, roleLabel(r), roleWithArticle(r), roleBadgeClass(r)]);
    assert.deepEqual(table, [
      ["owner", "Owner", "an owner", "badge badge--accent"],
      ["admin", "Admin", "an admin", "badge badge--success"],
      ["member", "Member", "a member", "badge"],
    ]);
  });
});
