import { Router } from "express";
import { db } from "../../db/knex";
import { migrationsAreCurrent } from "../../db/migrate";

/**
 * How long /readyz may take before it answers "not ready". Shorter than the pool's connect timeout:
 * a probe that hangs is as bad as no probe (load balancers and orchestrators give up after a second
 * or a few and count it as a failure anyway), and a database that cannot answer SELECT 1 within two
 * seconds is not ready for traffic.
 */
export const READY_TIMEOUT_MS = 2000;

/** Liveness and readiness probes; mounted before sessions so probes never create one. */
export function healthRoutes(): Router {
  const r = Router();
  /** GET /healthz — the process is up. */
  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  /** GET /readyz — the database answers and every migration is applied, within READY_TIMEOUT_MS. */
  r.get("/readyz", async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([readiness(), deadline]);
      if (outcome === "ready") return res.json({ status: "ready" });
      if (outcome === "migrations pending") return res.status(503).json({ status: "migrations pending" });
      res.status(503).json({ status: "database unreachable" });
    } catch {
      res.status(503).json({ status: "database unreachable" });
    } finally {
      clearTimeout(timer);
    }
  });
  return r;
}

async function readiness(): Promise<"ready" | "migrations pending"> {
  await db.raw("SELECT 1");
  return (await migrationsAreCurrent(db)) ? "ready" : "migrations pending";
}
