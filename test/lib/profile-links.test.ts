import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linkSchema } from "../../src/lib/profile-fields";
import { withDefaultScheme } from "../../src/lib/profile-links";

describe("profile links typed without a scheme", () => {
  it("puts https:// in front of an address that names no scheme", () => {
    const cases: [string, string][] = [
      ["example.com", "https://example.com"],
      ["example.com/ana", "https://example.com/ana"],
      ["example.com:8080/ana", "https://example.com:8080/ana"],
      ["localhost:3000", "https://localhost:3000"],
      ["//example.com/x", "https://example.com/x"],
      ["https://example.com", "https://example.com"],
      ["http://example.com", "http://example.com"],
      ["", ""],
    ];
    for (const [typed, expected] of cases) assert.equal(withDefaultScheme(typed), expected, typed);
  });

  it("leaves other schemes as they are, so the profile form still refuses them", () => {
    for (const typed of ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "mailto:a@example.com", "ftp://example.com"]) {
      assert.equal(withDefaultScheme(typed), typed);
      assert.equal(linkSchema.safeParse(typed).success, false, typed);
    }
  });

  it("accepts the completed address in the profile schema, trimmed", () => {
    assert.deepEqual(linkSchema.safeParse("  example.com/ana ").data, "https://example.com/ana");
    assert.equal(linkSchema.safeParse("https://user:pw@example.com").success, false);
  });
});
