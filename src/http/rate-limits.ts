import type { NextFunction, Request, Response } from "express";
import type { RateLimiterPostgres } from "rate-limiter-flexible";
import { consumeOrThrow } from "../services/rate-limits";

/** Middleware consuming one point per request from the client IP. */
export function limitByIp(limiter: RateLimiterPostgres) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    await consumeOrThrow(limiter, req.ip ?? "unknown");
    next();
  };
}
