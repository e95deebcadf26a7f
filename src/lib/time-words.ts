/**
 * The one way Gatehouse writes a time for people, on pages and in mail. Always in UTC, with the zone
 * named: the server knows no user's time zone, and an unlabelled time would read as local.
 * Pages show these through views/partials/time.ejs, which puts the exact instant in a <time> element.
 */

const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const DATE_TIME_FORMAT = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short",
});

/** "25 Nov 2026": a day, for tables and lists (UTC). */
export function formatDate(date: Date): string {
  return DATE_FORMAT.format(date);
}

/** "25 Nov 2026, 12:30 UTC": an unambiguous time for pages and mails. */
export function formatDateTime(date: Date): string {
  return DATE_TIME_FORMAT.format(date);
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago", else the date and time: how long since `date`. */
export function timeAgo(date: Date, now = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days} day${days === 1 ? "" : "s"} ago`;
  return formatDateTime(date);
}
