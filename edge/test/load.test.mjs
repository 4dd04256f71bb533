// 5,000 calls with at least 100 in flight across three keys of one account:
// exactly 2,500 admitted (the default daily quota), the rest refused with
// 429 DAILY_LIMIT_EXCEEDED; and a second account's quota is untouched.
//
// Each application may hold only 3 calls at once (9 for the three keys), so
// with 100+ in flight many attempts meet 429 CONCURRENCY_LIMIT_EXCEEDED. The
// client then retries that same call, as a well-behaved client does: when
// another call of the same key has finished (its slot is free again), or
// after a backoff with full jitter, whichever comes first (and at once when a
// call has met DAILY_LIMIT_EXCEEDED). Every call ends
// admitted or DAILY_LIMIT_EXCEEDED; the origin checks that no key ever had
// more than 3 calls in flight.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, startEdge } from "./harness.mjs";

const CALLS = 5_000;
const PARALLEL = 120;
const BACKOFF_CAP_MS = 5_000;

let origin;
let edge;

before(async () => {
  origin = await startOrigin();
  edge = await startEdge({ origin: origin.url });
});

after(async () => {
  await edge?.dispose();
  await origin?.close();
});

test("5,000 calls, 100+ in flight, 3 keys of one account: exactly 2,500 admitted, the rest DAILY_LIMIT_EXCEEDED", { timeout: 300_000 }, async () => {
  const account = await edge.client.newAccount("load");
  const keys = [];
  for (const name of ["alpha", "beta", "gamma"]) keys.push(await edge.client.createKey(account, { name }));
  const clients = [edge.client, edge.clientB];

  const outcomes = new Map();
  /** Per key: callers waiting for one of its calls to finish. */
  const waiting = keys.map(() => []);
  const slotFreed = (k) => waiting[k].shift()?.();
  // Once the quota is spent no slot will free up: everyone retries now.
  const wakeAll = () => waiting.forEach((w) => w.splice(0).forEach((wake) => wake()));
  const nextSlotOrBackoff = (k, retry) =>
    new Promise((resolve) => {
      waiting[k].push(resolve);
      setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, 10 * 2 ** retry));
    });
  let sentWith100InFlight = 0;
  let attempts = 0;
  let concurrencyRetries = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let next = 0;

  /** One call, retried while its application is at its concurrency cap. */
  async function call(i) {
    const k = i % 3;
    const key = keys[k];
    const client = clients[i % 2];
    for (let retry = 0; retry < 500; retry++) {
      attempts++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight >= 100) sentWith100InFlight++;
      let res, body;
      try {
        res = await client.api(`/v1/items/${i}`, { key });
        body = await res.text();
      } finally {
        inFlight--;
      }
      if (res.status === 200) {
        slotFreed(k);
        return "OK";
      }
      const code = JSON.parse(body).error.code;
      if (code === "DAILY_LIMIT_EXCEEDED") wakeAll();
      if (code !== "CONCURRENCY_LIMIT_EXCEEDED") return `${res.status} ${code}`;
      concurrencyRetries++;
      await nextSlotOrBackoff(k, retry);
    }
    return "GAVE UP";
  }

  const started = Date.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < CALLS) {
        const i = next++;
        const outcome = await call(i);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `# ${CALLS} calls in ${seconds.toFixed(1)} s: ${JSON.stringify(Object.fromEntries(outcomes))}, ` +
      `${attempts} attempts (${concurrencyRetries} retried after CONCURRENCY_LIMIT_EXCEEDED), ` +
      `max ${maxInFlight} in flight, ${sentWith100InFlight} attempts sent with 100+ in flight`,
  );

  assert.ok(maxInFlight >= 100, `at least 100 in flight (saw ${maxInFlight})`);
  assert.ok(sentWith100InFlight >= 2_000, `2,000+ attempts were sent with 100+ in flight (${sentWith100InFlight})`);
  assert.deepEqual(Object.fromEntries(outcomes), { OK: 2_500, "429 DAILY_LIMIT_EXCEEDED": 2_500 });

  const reached = origin.hits.filter((h) => keys.some((k) => k.keyId === h.headers["x-api-key-id"]));
  assert.equal(reached.length, 2_500, "exactly the admitted calls reached the origin");
  for (const key of keys) {
    assert.ok(origin.maxInFlight.get(key.keyId) <= 3, `${key.name}: at most 3 in flight at the origin`);
  }

  const list = await edge.client.listKeys(account);
  assert.equal(list.callsToday, 2_500);
  assert.equal(list.remainingToday, 0);
  assert.equal(
    list.keys.reduce((sum, k) => sum + k.callCount, 0),
    2_500,
    "the keys' call counts add up to the admitted calls",
  );
  for (const k of list.keys) {
    assert.equal(k.callCount, reached.filter((h) => h.headers["x-api-key-id"] === k.keyId).length);
    assert.equal(k.activeConnections, 0, "every lease was released");
  }

  const after = await edge.clientB.api("/v1/items/late", { key: keys[0] });
  assert.equal(after.status, 429);
  assert.equal(after.headers.get("RateLimit"), `"daily";r=0;t=${/t=(\d+)/.exec(after.headers.get("RateLimit"))[1]}`);
  assert.match(after.headers.get("Retry-After"), /^\d+$/);
  assert.equal((await after.json()).error.code, "DAILY_LIMIT_EXCEEDED");
});

test("two accounts do not share quota", async () => {
  // The account above has used all of its 2,500; a second account has all of its own.
  const other = await edge.client.newAccount("other");
  const key = await edge.client.createKey(other, { name: "independent" });
  for (let i = 1; i <= 3; i++) {
    const res = await edge.client.api("/v1/items", { key });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("RateLimit"), new RegExp(`^"daily";r=${2_500 - i};`));
    await res.arrayBuffer();
  }
  const list = await edge.client.listKeys(other);
  assert.equal(list.callsToday, 3);
  assert.equal(list.remainingToday, 2_497);
});
