import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../lib/logger";
import { collectProcessMetrics, registry } from "./registry";

/**
 * Serves GET /metrics (Prometheus text format) on a port of its own, METRICS_PORT, and nothing
 * else. A port apart from the app's keeps the numbers (routes, sign-in failures, queue depth) off the
 * public site without a token to manage: a proxy in front of the app never forwards it, and the
 * operator opens the port to the monitoring network only. It has no authentication of its own.
 */
export async function startMetricsServer(opts: { port: number; host?: string }, logger: Logger): Promise<{ port: number; close: () => Promise<void> }> {
  collectProcessMetrics();
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || (req.url !== "/metrics" && !req.url?.startsWith("/metrics?"))) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found: metrics are at /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": registry.contentType }).end(text),
      (err: Error) => {
        logger.error({ err }, "metrics scrape failed");
        res.writeHead(500, { "Content-Type": "text/plain" }).end("metrics unavailable\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: opts.host ?? "all interfaces", port }, "metrics at /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
