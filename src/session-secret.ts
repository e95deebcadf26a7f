import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config";

/**
 * SESSION_SECRET when set (required in production). In development a random secret is generated
 * once and kept in .data/session-secret (mode 0600), so sessions survive restarts without setup.
 */
export function resolveSessionSecret(config: Config, dataDir: string): string {
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(dataDir, "session-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
