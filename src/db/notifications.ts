import type pg from "pg";
import type { Logger } from "../lib/logger";
import { db, newDedicatedClient, type Executor } from "./knex";

// Reconnect delays after the listening connection was lost or could not be opened: doubling from
// one second up to this, so a database outage costs a log line every few seconds, not a busy loop.
const MAX_RECONNECT_MS = 10_000;

/**
 * Sends a notification on `channel`. Inside a transaction PostgreSQL delivers it only when the
 * transaction commits, and never when it rolls back, which is what makes it an after-commit hook;
 * several identical notifications in one transaction arrive as one.
 */
export async function notify(channel: string, q: Executor = db): Promise<void> {
  await q.raw("SELECT pg_notify(?, '')", [channel]);
}

export interface Listener {
  stop: () => Promise<void>;
}

/**
 * Calls `onWake` for every notification on `channel`, and also each time the listening connection
 * is (re)established, since notifications sent while it was down are lost and the caller must look
 * for what it missed. LISTEN needs a session of its own, so this holds one connection outside the
 * pool; when the connection breaks (a database restart), its error is logged, never thrown, and it
 * reconnects with backoff until `stop()`.
 */
export function listen(channel: string, onWake: () => void, logger: Logger): Listener {
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = false;

  function retryLater(err: unknown) {
    if (stopped || timer) return;
    failures += 1;
    const retryInMs = Math.min(MAX_RECONNECT_MS, 1000 * 2 ** (failures - 1));
    logger.warn({ channel, err: (err as Error)?.message ?? String(err), retryInMs }, "database listener lost its connection; reconnecting");
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, retryInMs);
    timer.unref();
  }

  async function open() {
    const c = newDedicatedClient();
    client = c;
    // Only the current client's events count: a broken one that is being replaced may still emit.
    const lost = (err: unknown) => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      retryLater(err);
    };
    c.on("error", lost);
    c.on("end", () => lost(new Error("connection ended")));
    c.on("notification", (message) => {
      if (message.channel === channel) onWake();
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (err) {
      lost(err);
      return;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    if (failures > 0) logger.info({ channel }, "database listener reconnected");
    failures = 0;
    onWake();
  }

  void open();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
