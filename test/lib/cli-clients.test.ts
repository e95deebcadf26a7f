import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cliClientName } from "../../src/lib/cli-clients";

describe("CLI client names", () => {
  it("names the Terraform CLI one way, and shows other ids as they are", () => {
    assert.equal(cliClientName("terraform-cli"), "Terraform CLI");
    assert.equal(cliClientName("other-tool"), "other-tool");
    assert.equal(cliClientName(null), "CLI");
  });
});
