import { Router } from "express";
import { db } from "../../db/knex";
import { migrationsAreCurrent } from "../../db/migrate";

/** Liveness and readiness probes; mounted before sessions so probes never create one. */
export function healthRoutes(): Router {
  const r = Router();
  /** GET /healthz — the process is up. */
  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  /** GET /readyz — the database answers and every migration is applied. */
  r.get("/readyz", async (_req, res) => {
    try {
      await db.raw("SELECT 1");
      if (!(await migrationsAreCurrent(db))) return res.status(503).json({ status: "migrations pending" });
      res.json({ status: "ready" });
    } catch {
      res.status(503).json({ status: "database unreachable" });
    }
  });
  return r;
}
