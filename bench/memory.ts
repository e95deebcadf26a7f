import fs from "node:fs";

/**
 * Peak resident memory of a process: VmHWM of /proc/<pid>/status, in bytes (Linux only; undefined
 * elsewhere or once the process is gone).
 */
export function peakRss(pid: number): number | undefined {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+) kB$/m);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the peak over from the current resident size (writing 5 to /proc/<pid>/clear_refs), so
 * each scenario reports its own peak. False when the kernel refuses; the peak then runs on.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
