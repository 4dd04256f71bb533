// Turning the account's history (store.usage) into what the charts, tables
// and CSV files show. Days are the quota's windows (UTC days), oldest first.
import { GREY, PALETTE } from "./chart.js";
import { isoDay, number, utcDay } from "./format.js";

/** The days every history page shows. */
export const HISTORY_DAYS = 30;

/** Refusals after the secret was verified, as the core counts them, and how the portal names them. */
export const REFUSALS = [
  { code: "READ_ONLY_KEY", label: "Refused: read-only", color: "#e69f00" },
  { code: "DAILY_LIMIT_EXCEEDED", label: "Refused: daily limit", color: "#b42318" },
  { code: "CONCURRENCY_LIMIT_EXCEEDED", label: "Refused: connections", color: "#7c3aed" },
];

const refusedOf = (entry) => REFUSALS.reduce((n, r) => n + (entry?.refused?.[r.code] ?? 0), 0);

/** A key's colour: its place in the key list, so every page agrees. */
export function colourOf(keyId, list) {
  const i = list.keys.findIndex((k) => k.keyId === keyId);
  return i < 0 ? GREY : PALETTE[i % PALETTE.length];
}

/** Whether the history holds anything at all: admitted or refused calls. */
export function hasHistory(usage) {
  return usage.days.some((d) => d.total > 0 || d.deletedCalls > 0 || d.keys.some((k) => k.calls > 0 || refusedOf(k) > 0));
}

const daysOf = (usage) => usage.days.map((d) => ({ label: utcDay(d.start), iso: isoDay(d.start) }));

function peak(days, totals) {
  let best = -1;
  totals.forEach((t, i) => {
    if (best < 0 || t > totals[best]) best = i;
  });
  return best < 0 || totals[best] === 0 ? null : { day: days[best], calls: totals[best] };
}

/**
 * The account's chart: calls per day stacked by application (in the key
 * list's order, then keys no longer listed), deleted applications in grey,
 * and the daily limit as a line.
 */
export function accountChart(usage, list) {
  const days = daysOf(usage);
  const ids = [];
  const names = new Map();
  for (const k of list.keys) {
    ids.push(k.keyId);
    names.set(k.keyId, k.name);
  }
  for (const day of usage.days) {
    for (const k of day.keys) {
      if (!names.has(k.keyId)) ids.push(k.keyId);
      names.set(k.keyId, names.get(k.keyId) ?? k.name);
    }
  }
  const series = ids.map((keyId) => ({
    label: names.get(keyId),
    color: colourOf(keyId, list),
    data: usage.days.map((d) => d.keys.find((k) => k.keyId === keyId)?.calls ?? 0),
  }));
  if (usage.days.some((d) => d.deletedCalls > 0)) {
    series.push({ label: "Deleted applications", color: GREY, data: usage.days.map((d) => d.deletedCalls) });
  }
  const totals = usage.days.map((d) => d.total);
  const refused = usage.days.map((d) => d.keys.reduce((n, k) => n + refusedOf(k), 0));
  const sum = totals.reduce((a, b) => a + b, 0);
  const top = peak(days, totals);
  return {
    days,
    series,
    limit: { label: "Daily limit", value: usage.dailyLimit },
    columns: [
      { label: "Total calls", data: totals },
      { label: "Refused calls", data: refused },
    ],
    summary:
      `${number(sum)} calls in ${usage.days.length} days` +
      (top ? `; the busiest day was ${top.day.label} with ${number(top.calls)}` : "") +
      `; the daily limit is ${number(usage.dailyLimit)}.`,
    totals: { calls: sum, refused: refused.reduce((a, b) => a + b, 0), peak: top },
  };
}

/** One key's chart: its admitted calls and, stacked on them, its refusals by code. */
export function keyChart(usage, keyId, colour) {
  const days = daysOf(usage);
  const entries = usage.days.map((d) => d.keys.find((k) => k.keyId === keyId));
  const calls = entries.map((e) => e?.calls ?? 0);
  const series = [{ label: "Admitted calls", color: colour, data: calls }];
  const refusals = REFUSALS.map((r) => ({ ...r, data: entries.map((e) => e?.refused?.[r.code] ?? 0) }));
  for (const r of refusals) series.push({ label: r.label, color: r.color, data: r.data });
  const sum = calls.reduce((a, b) => a + b, 0);
  const refused = refusals.reduce((n, r) => n + r.data.reduce((a, b) => a + b, 0), 0);
  const top = peak(days, calls);
  return {
    days,
    series,
    limit: null,
    summary:
      `${number(sum)} admitted and ${number(refused)} refused calls in ${usage.days.length} days` +
      (top ? `; the busiest day was ${top.day.label} with ${number(top.calls)} calls.` : "."),
    totals: { calls: sum, refused, peak: top },
  };
}

/** Per application over the period: calls and refusals by code (the Usage page's summary table). */
export function perApplication(usage, list) {
  const rows = new Map();
  for (const k of list.keys) rows.set(k.keyId, { keyId: k.keyId, name: k.name, listed: true, calls: 0, refused: {} });
  for (const day of usage.days) {
    for (const k of day.keys) {
      const row = rows.get(k.keyId) ?? { keyId: k.keyId, name: k.name, listed: false, calls: 0, refused: {} };
      row.calls += k.calls;
      for (const r of REFUSALS) row.refused[r.code] = (row.refused[r.code] ?? 0) + (k.refused?.[r.code] ?? 0);
      rows.set(k.keyId, row);
    }
  }
  return [...rows.values()];
}
