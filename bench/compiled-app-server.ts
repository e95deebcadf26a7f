import { execFileSync } from "node:child_process";
import path from "node:path";

const REPO = path.resolve(__dirname, "..");

/** The compiled app server that bench/app-process.ts starts. */
export const APP_SERVER_JS = path.join(REPO, ".data/bench-app/app-server.js");

/**
 * Compiles the app server's bench wrapper (bench/app-server.ts and the bench files it imports,
 * listed in tsconfig.bench-app.json) to plain JavaScript under the ignored .data/bench-app/, so the
 * app under test runs as `node app-server.js` on dist/, as production runs `node dist/server.js`.
 * Under tsx the process also held tsx's loader and esbuild's JavaScript API: about 15 MB of resident
 * memory, and start-up CPU, that a production server does not have.
 */
export function compileAppServer(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.bench-app.json"], { stdio: "inherit", cwd: REPO });
}
