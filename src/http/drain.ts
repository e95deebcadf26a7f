import type http from "node:http";

/**
 * Stops an HTTP server gracefully: it stops accepting connections at once (new ones are refused),
 * lets the requests in flight finish, and resolves when every connection has closed, or when
 * `graceMs` has passed, cutting whatever is still open then. Resolves with how many connections
 * were cut (0 when everything finished in time).
 *
 * Keep-alive connections would otherwise hold the server open until their idle timeout: idle ones
 * are closed as soon as they are idle (checked every 50 ms), and requests that still arrive on an
 * open connection are answered with `Connection: close`. Nothing here runs per request until
 * shutdown begins.
 */
export function drainHttpServer(server: http.Server, graceMs: number): Promise<{ cut: number }> {
  return new Promise((resolve) => {
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader("Connection", "close");
    });
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.getConnections((_err, open) => {
        server.closeAllConnections();
        finish(open);
      });
    }, graceMs);
    let done = false;
    const finish = (cut: number) => {
      if (done) return;
      done = true;
      clearInterval(closeIdle);
      clearTimeout(deadline);
      resolve({ cut });
    };
    server.close(() => finish(0));
  });
}
