import express, { Router } from "express";
import type { AppContext } from "../../context";

/** The JSON API route map (/api/...); bearer tokens only. */
export function apiRoutes(_ctx: AppContext): Router {
  const r = Router();
  r.use(express.json({ limit: "32kb" }));
  return r;
}
