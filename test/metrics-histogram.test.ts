import assert from "node:assert/strict";
import { describe, it } from "node:test";
import client from "prom-client";
import { RequestHistogram } from "../src/metrics/request-histogram";

describe("the request histogram", () => {
  it("renders cumulative buckets (a value on a bound counts in it), _sum and _count per series, in Prometheus text", async () => {
    const histogram = new RequestHistogram("test_duration_seconds", "test");
    histogram.observe("GET", "/a", 200, 0.005);
    histogram.observe("GET", "/a", 200, 0.0051);
    histogram.observe("GET", "/a", 200, 11);
    histogram.observe("POST", "/a", 422, 0.2);
    const registry = new client.Registry();
    registry.registerMetric(histogram as unknown as client.Metric);
    const lines = (await registry.metrics()).split("\n");
    assert.deepEqual(lines.slice(0, 2), ["# HELP test_duration_seconds test", "# TYPE test_duration_seconds histogram"]);
    const get = lines.filter((l) => l.includes('method="GET"'));
    assert.deepEqual(get, [
      'test_duration_seconds_bucket{method="GET",route="/a",status="200",le="0.005"} 1',
      'test_duration_seconds_bucket{method="GET",route="/a",status="200",le="0.01"} 2',
      ...["0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"].map((le) => `test_duration_seconds_bucket{method="GET",route="/a",status="200",le="${le}"} 2`),
      'test_duration_seconds_bucket{method="GET",route="/a",status="200",le="+Inf"} 3',
      'test_duration_seconds_sum{method="GET",route="/a",status="200"} 11.0101',
      'test_duration_seconds_count{method="GET",route="/a",status="200"} 3',
    ]);
    assert.ok(lines.includes('test_duration_seconds_bucket{method="POST",route="/a",status="422",le="0.1"} 0'));
    assert.ok(lines.includes('test_duration_seconds_bucket{method="POST",route="/a",status="422",le="0.25"} 1'));
    assert.ok(lines.includes('test_duration_seconds_count{method="POST",route="/a",status="422"} 1'));
  });
});
