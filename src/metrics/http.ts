import type { NextFunction, Request, Response } from "express";
import { httpRequestDuration } from "./registry";

const STARTED = Symbol("metricsStartedAt");
type Timed = Response & { [STARTED]: number };

/**
 * The route a request matched, as its pattern (`/api` + `/v1/orgs/:org`), never the raw path, so
 * the number of series stays fixed whatever visitors request. A request no route matched is named
 * by its mount point (`/public` for static files, `/api` for the API's 404s) or `unmatched`.
 */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === "string") return req.baseUrl + path;
  return req.baseUrl || "unmatched";
}

/** Shared by every response (`this` is the response), so a request allocates no listener of its own. */
function observe(this: Timed) {
  const req = this.req;
  httpRequestDuration.observe(req.method, routeOf(req), this.statusCode, (performance.now() - this[STARTED]) / 1000);
}

/**
 * First middleware when METRICS_PORT is set: times each request to the end of its response (the
 * response's 'finish'; a request whose client went away first is not counted) and makes one
 * histogram observation. The route is read at the end, once routing has happened.
 */
export function observeRequests(_req: Request, res: Response, next: NextFunction) {
  (res as Timed)[STARTED] = performance.now();
  res.on("finish", observe);
  next();
}
