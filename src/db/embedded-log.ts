import type { Logger } from "../lib/logger";
import type { Placement } from "./embedded-placement";

/** Says at start where the embedded PostgreSQL keeps its data and, when something moved, why. */
export function logEmbeddedPlacement(logger: Logger, placement: Placement, port: number) {
  const where = { dataDir: placement.dataDir, binaries: placement.nativeDir, port, ...(placement.runAs ? { runAs: placement.runAs.name } : {}) };
  logger.info(where, "DATABASE_URL is unset: starting the embedded PostgreSQL");
  const moved = placement.moved;
  if (!moved) return;
  const what = [
    moved.data && `its data lives in ${placement.dataDir} (kept across restarts) instead of ${moved.requestedDataDir}`,
    moved.binaries && `its binaries were copied to ${placement.nativeDir}`,
  ].filter(Boolean);
  logger.warn({ requestedDataDir: moved.requestedDataDir, ...where }, `As root the embedded PostgreSQL runs as the "${placement.runAs?.name}" user, who cannot enter this checkout, so ${what.join(" and ")}`);
}
