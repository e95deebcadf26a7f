import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseScimFilter } from "../../src/services/scim/filter";
import { ScimError } from "../../src/lib/errors";

describe("SCIM filters (the subset identity providers send)", () => {
  it("parses equality tests, value filters and `and`, case-insensitively", () => {
    assert.deepEqual(parseScimFilter('userName eq "bjensen"'), [{ path: "username", where: undefined, value: "bjensen" }]);
    assert.deepEqual(parseScimFilter('emails[type eq "work"].value eq "a@b.c"'), [{ path: "emails.value", where: { attr: "type", value: "work" }, value: "a@b.c" }]);
    assert.deepEqual(parseScimFilter('externalId EQ "x\\"y" AND active eq true'), [
      { path: "externalid", where: undefined, value: 'x"y' },
      { path: "active", where: undefined, value: true },
    ]);
    assert.deepEqual(parseScimFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "b"').map((t) => t.path), ["username"]);
    assert.deepEqual(parseScimFilter('members[value eq "42"]'), [{ path: "members", where: { attr: "value", value: "42" }, value: null }]);
    assert.deepEqual(parseScimFilter('id eq "1" and members eq "2"').map((t) => t.path), ["id", "members"]);
  });

  it("refuses what it does not implement with 400 invalidFilter", () => {
    for (const filter of ['userName sw "b"', 'userName eq "a" or userName eq "b"', '(userName eq "a")', "userName eq", 'userName eq "open', 'not (userName eq "a")', "x".repeat(1001)]) {
      assert.throws(() => parseScimFilter(filter), (err: unknown) => err instanceof ScimError && err.status === 400 && err.scimType === "invalidFilter", filter);
    }
  });
});
