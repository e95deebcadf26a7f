import Bowser from "bowser";

/** A browser and an operating system in words, for session lists and notices. */
export interface DeviceDescription {
  browser: string;
  os: string;
}

/**
 * Names the browser and OS of a User-Agent header with bowser (MIT, maintained; ua-parser-js 2 is
 * AGPL). Only the major browser version is kept: enough to recognise a device, less noise.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  if (!userAgent) return { browser: "Unknown browser", os: "Unknown system" };
  const parsed = Bowser.parse(userAgent);
  const name = parsed.browser.name || "Unknown browser";
  const major = parsed.browser.version?.split(".")[0];
  // Every Mac reports 10.15.7 whatever it runs, so a macOS version (or its name) would mislead.
  const osVersion = parsed.os.name === "macOS" ? undefined : (parsed.os.versionName ?? parsed.os.version);
  const os = [parsed.os.name, osVersion].filter(Boolean).join(" ");
  return { browser: major && name !== "Unknown browser" ? `${name} ${major}` : name, os: os || "Unknown system" };
}

/** "Firefox 120 on Linux": one line naming a device. */
export function deviceLabel(userAgent: string | null | undefined): string {
  const d = describeUserAgent(userAgent);
  return `${d.browser} on ${d.os}`;
}
