// "Add sample traffic" (the IndexedDB demo only, on an account with no
// history): real data made by real code. It creates up to two sample
// applications four weeks back, then sends their calls day by day through the
// library's own `authorize`, with past times passed in, exactly as the API
// console does now: admitted calls count, a read-only key's writes are
// refused (403), a burst over the connection limit is refused (429), and a
// runaway day hits the account's daily limit (429). One readwrite transaction
// per day, so the page stays responsive and shows its progress.
import { encodeBasic } from "apikeys";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DAYS_BACK = 28;
/** A day, this many days ago, on which the sample sync runs away into the daily limit. */
const RUNAWAY_DAY = 9;

const SAMPLES = [
  {
    name: "Sample: Order Sync",
    description: "Sample traffic: pushes new orders every few minutes on working days.",
    readOnly: false,
    weekday: [120, 260],
    weekend: [15, 45],
    methods: ["POST", "POST", "PUT", "GET", "GET"],
  },
  {
    name: "Sample: BI Dashboard",
    description: "Sample traffic: reads reports during office hours (read-only).",
    readOnly: true,
    weekday: [40, 110],
    weekend: [0, 8],
    methods: ["GET", "GET", "GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST"],
  },
];

/** A small seeded generator (mulberry32), so every run draws the same shapes. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rnd, [lo, hi]) => lo + Math.floor(rnd() * (hi - lo + 1));

function anyHistory(usage) {
  return usage.days.some(
    (d) =>
      d.total > 0 ||
      d.deletedCalls > 0 ||
      d.keys.some((k) => k.calls > 0 || Object.values(k.refused ?? {}).some((n) => n > 0)),
  );
}

/**
 * @param {{ changeAccount: Function, readAccount: Function }} store the IndexedDB store
 * @param {{ actor: object, onProgress?: (done: number, total: number) => void, now?: number }} options
 * @returns {Promise<{ applications: number, calls: number }>}
 */
export async function sampleTraffic(store, { actor, onProgress, now = Date.now() }) {
  const { list, usage } = await store.readAccount((account) => ({
    list: account.listKeys(actor, now),
    usage: account.usage(actor, { days: 90 }, now),
  }));
  if (anyHistory(usage)) throw new Error("Sample traffic is only added to an account with no history.");
  const free = list.applicationLimit - list.keys.length;
  if (free < 1) throw new Error("Sample traffic needs a free API key application slot: delete one first.");

  const rnd = random(20260304);
  const today = Math.floor(now / DAY) * DAY;
  const first = today - DAYS_BACK * DAY;
  const samples = SAMPLES.slice(0, free);

  // The applications, created four weeks ago (their secrets live in this function only).
  const created = await store.changeAccount((account) =>
    samples.map((s, i) =>
      account.createKey(actor, { name: s.name, description: s.description, readOnly: s.readOnly }, first + 8 * HOUR + i * 60_000),
    ),
  );
  const apps = samples.map((s, i) => ({ ...s, header: encodeBasic(created[i].keyId, created[i].secret) }));

  let calls = 0;
  for (let d = 0; d <= DAYS_BACK; d += 1) {
    const start = first + d * DAY;
    const weekend = [0, 6].includes(new Date(start).getUTCDay());
    // Office hours in UTC; today only up to a minute ago.
    const from = start + 12 * HOUR;
    const to = Math.min(start + 22 * HOUR, now - 60_000);
    const planned = [];
    if (to > from) {
      for (const app of apps) {
        let n = between(rnd, weekend ? app.weekend : app.weekday);
        if (d === DAYS_BACK - RUNAWAY_DAY && !app.readOnly) n = list.dailyLimit + 40;
        for (let c = 0; c < n; c += 1) {
          planned.push({ t: from + Math.floor(rnd() * (to - from)), app, method: app.methods[Math.floor(rnd() * app.methods.length)] });
        }
      }
      planned.sort((a, b) => a.t - b.t);
    }
    // A few bursts over the connection limit on working days.
    const burst = !weekend && d % 5 === 2 && planned.length ? planned[Math.floor(planned.length / 2)].t : null;
    calls += await store.changeAccount((account) => {
      let admitted = 0;
      for (const call of planned) {
        const decision = account.authorize(call.app.header, call.method, call.t);
        if (decision.leaseId) {
          admitted += 1;
          account.release(decision.leaseId, call.t);
        }
      }
      if (burst !== null) {
        const held = [];
        for (let i = 0; i < list.connectionLimit + 1; i += 1) {
          const decision = account.authorize(apps[0].header, "GET", burst);
          if (decision.leaseId) {
            admitted += 1;
            held.push(decision.leaseId);
          }
        }
        for (const id of held) account.release(id, burst + 2000);
      }
      return admitted;
    });
    onProgress?.(d + 1, DAYS_BACK + 1);
  }
  return { applications: apps.length, calls };
}
