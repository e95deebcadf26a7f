import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDate, formatDateTime, timeAgo } from "../../src/lib/time-words";

describe("the house format for times", () => {
  const at = new Date("2026-11-25T23:30:00Z");

  it("writes days and times in UTC, naming the zone", () => {
    assert.equal(formatDate(at), "25 Nov 2026");
    assert.equal(formatDateTime(at), "25 Nov 2026, 23:30 UTC");
    // The same instant is the same text whatever the server's own zone says.
    assert.equal(formatDate(new Date("2026-11-25T00:10:00Z")), "25 Nov 2026");
  });

  it("says how long ago, then falls back to the full time after a month", () => {
    const cases: [number, string][] = [
      [0, "just now"],
      [59, "just now"],
      [60, "1 minute ago"],
      [5 * 60, "5 minutes ago"],
      [60 * 60, "1 hour ago"],
      [3 * 3600, "3 hours ago"],
      [24 * 3600, "1 day ago"],
      [29 * 86400, "29 days ago"],
      [30 * 86400, formatDateTime(at)],
    ];
    for (const [seconds, words] of cases) assert.equal(timeAgo(at, new Date(at.getTime() + seconds * 1000)), words, `${seconds} s`);
    assert.equal(timeAgo(at, new Date(at.getTime() - 5000)), "just now", "a time a little ahead (clock skew) is now");
  });
});
