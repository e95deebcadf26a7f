import type { Request, Response } from "express";

/**
 * 404 for API paths nobody answered, before the web middleware (sessions) could see the request.
 * Every other failure is answered by the app's one error handler (src/http/errors.ts), in the
 * API's shape `{"error": {"code", "message", "fields"?}}`.
 */
export function apiNotFound(_req: Request, res: Response) {
  res.status(404).json({ error: { code: "not_found", message: "Not found" } });
}
