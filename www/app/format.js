// Formatting of numbers and times for the portal. Local time is shown with
// the UTC time beside it (and on hover), as the quota resets at 00:00 UTC.
import { h } from "./dom.js";

const numberFormat = new Intl.NumberFormat(undefined);
const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const localTimeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

export const number = (n) => numberFormat.format(n);

/** "2026-03-04 15:42:07 UTC" */
export function utc(ms) {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** "00:30 UTC": the UTC time of day of an instant (a daily reset time). */
export function utcClock(ms) {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** "Mar 4": the UTC calendar day of a quota window's start (windows are UTC days). */
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
export const utcDay = (ms) => dayFormat.format(new Date(ms));
/** "2026-03-04" */
export const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

export const local = (ms) => localFormat.format(new Date(ms));
export const localClock = (ms) => localTimeOnly.format(new Date(ms));

/** "in 7 h 5 min", "in 42 s", "3 min ago" */
export function relative(ms, now = Date.now()) {
  const diff = Math.round((ms - now) / 1000);
  const abs = Math.abs(diff);
  let text;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else {
    const hours = Math.floor(abs / 3600);
    const minutes = Math.floor((abs % 3600) / 60);
    text = minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** A <time> in local time with the UTC time on hover and beside it. */
export function timestamp(ms, { empty = "Never" } = {}) {
  if (ms === null || ms === undefined) return h("span", { class: "muted" }, empty);
  const iso = new Date(ms).toISOString();
  return h(
    "span",
    { class: "timestamp" },
    h("time", { datetime: iso, title: utc(ms) }, local(ms)),
    h("span", { class: "utc" }, utc(ms)),
  );
}

export const accessLabel = (access) => (access === "read-only" ? "Read-Only" : "Full access");

export const statusText = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  429: "Too Many Requests",
  500: "Internal Server Error",
};
