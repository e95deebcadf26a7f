import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { displayIp, unmapIpv4 } from "../../src/lib/ip-address";

describe("IP addresses as people read them", () => {
  it("shows an IPv4-mapped IPv6 address as the IPv4 address it is", () => {
    const cases: [string | null | undefined, string][] = [
      ["::ffff:203.0.113.7", "203.0.113.7"],
      ["::FFFF:198.51.100.1", "198.51.100.1"],
      ["203.0.113.7", "203.0.113.7"],
      ["2001:db8::1", "2001:db8::1"],
      ["::1", "::1"],
      // Not an IPv4 address after the prefix: left as it came.
      ["::ffff:999.1.1.1", "::ffff:999.1.1.1"],
      ["::ffff:c000:0280", "::ffff:c000:0280"],
      [null, "unknown"],
      [undefined, "unknown"],
      ["", "unknown"],
    ];
    for (const [ip, shown] of cases) assert.equal(displayIp(ip), shown, String(ip));
  });

  it("keeps null for no address, for storing", () => {
    assert.equal(unmapIpv4(null), null);
    assert.equal(unmapIpv4("::ffff:10.0.0.1"), "10.0.0.1");
  });
});
