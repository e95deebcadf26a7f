import autocannon from "autocannon";
import { announceReady, serveParent } from "./child";
import type { LoadResult, LoadSpec } from "./messages";
import { percentile } from "./percentiles";
import { rotatingGet } from "./rotating-requests";
import { signInRequests } from "./sign-in-requests";

/**
 * The load generator, in its own process so it never shares an event loop with the server it
 * measures. Each message is a LoadSpec; the reply is that round's LoadResult.
 */
const HEADERS = { "user-agent": "gatehouse-bench/1.0 (autocannon)" };

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function transportFailures(result: autocannon.Result): Record<string, number> {
  const failures: Record<string, number> = {};
  if (result.errors > result.timeouts) failures["connection errors"] = result.errors - result.timeouts;
  if (result.timeouts > 0) failures.timeouts = result.timeouts;
  return failures;
}

async function get(spec: Extract<LoadSpec, { kind: "get" }>): Promise<LoadResult> {
  const result = await run({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: HEADERS,
    requests: rotatingGet(spec.path, spec.rotate),
  });
  const failures = transportFailures(result);
  for (const range of ["1xx", "3xx", "4xx", "5xx"] as const) if (result[range] > 0) failures[`status ${range}`] = result[range];
  return { completed: result["2xx"], perSecond: result["2xx"] / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, failures };
}

async function signIn(spec: Extract<LoadSpec, { kind: "sign-in" }>): Promise<LoadResult> {
  const { requests, tally } = signInRequests(spec.logins, spec.password);
  const result = await run({ url: spec.url, connections: spec.connections, duration: spec.seconds, headers: HEADERS, requests });
  return {
    completed: tally.completed,
    perSecond: tally.completed / result.duration,
    p50Ms: percentile(tally.latencies, 50),
    p99Ms: percentile(tally.latencies, 99),
    failures: { ...transportFailures(result), ...tally.failures },
  };
}

serveParent(async (message) => {
  const spec = message as LoadSpec;
  return spec.kind === "sign-in" ? signIn(spec) : get(spec);
});
announceReady();
