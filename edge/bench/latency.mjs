// Latency of a verified request, in local workerd, with the production build:
// client -> edge worker (argon2 check against its cached key record) ->
// account Durable Object (authorizeVerified: counts the call, takes a lease)
// -> stub origin -> response streamed back -> lease released (before the
// client sees the end of the body). Sequential requests, one at a time, after
// a warm-up. Also measures a wrong secret (refused by the worker after one
// argon2 verification against its cached record; no account object, no
// write), an unknown key (refused by the worker from its negative cache), and
// the stub origin fetched directly from Node. Refused calls come from
// distinct client IPs, so the failed-authentication limit does not step in.
//
//   node bench/latency.mjs [requests=2000] [disk|tmpfs]
// Durable Object storage goes in a fresh folder on disk (as Miniflare's
// default does) or on tmpfs, which takes the cost of syncing SQLite commits to
// a disk out of the figures. Not part of `npm test`: timings depend on the
// machine.
import { rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { startOrigin, startEdge, storageFolder, get as fetch } from "../test/harness.mjs";
import { encodeBasic, generateKeyId, generateSecret } from "apikeys";

const N = Number(process.argv[2] ?? 2000);
const STORAGE = process.argv[3] === "tmpfs" ? "tmpfs" : "disk";
const WARMUP = 200;

/** @param {number[]} ms */
function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { n: s.length, median: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1] };
}

/** Times `n` sequential runs of `once` after a warm-up. */
async function measure(n, once) {
  for (let i = 0; i < WARMUP; i++) await once(i);
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once(i);
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

const fmt = (s) =>
  `median ${s.median.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (n=${s.n})`;

const folder = storageFolder(STORAGE);
const origin = await startOrigin();
const edge = await startEdge({ origin: origin.url, persist: folder, production: true });
try {
  const account = await edge.client.newAccount("bench");
  const key = await edge.client.createKey(account, { name: "bench" });
  const header = encodeBasic(key.keyId, key.secret);
  const url = `${edge.urls.a}/v1/items`;
  if (N + WARMUP > 2500) throw new Error("stay within one account's daily quota (2,500)");

  const verified = await measure(N, async () => {
    const res = await fetch(url, { headers: { Authorization: header } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
  });

  const wrongSecret = encodeBasic(key.keyId, generateSecret());
  const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const checkedByWorker = await measure(N, async (i) => {
    const res = await fetch(url, { headers: { Authorization: wrongSecret, "CF-Connecting-IP": ip(i) } });
    await res.arrayBuffer();
    if (res.status !== 401) throw new Error(`unexpected ${res.status}`);
  });

  const unknown = encodeBasic(generateKeyId(), generateSecret());
  const refusedAtEdge = await measure(N, async (i) => {
    const res = await fetch(url, { headers: { Authorization: unknown, "CF-Connecting-IP": ip(100_000 + i) } });
    await res.arrayBuffer();
    if (res.status !== 401) throw new Error(`unexpected ${res.status}`);
  });

  const direct = await measure(N, async () => {
    const res = await fetch(`${origin.url}/v1/items`);
    await res.arrayBuffer();
  });

  const list = await edge.client.listKeys(account);
  console.log(
    `storage: ${STORAGE} (${folder}); node ${process.version}; ${availableParallelism()} cores, ` +
      `load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
  );
  console.log(`verified call (secret checked in the worker, admitted by the account object, forwarded, lease released):`);
  console.log(`  ${fmt(verified)}`);
  console.log(`wrong secret (refused by the worker after one argon2 check; no account object):`);
  console.log(`  ${fmt(checkedByWorker)}`);
  console.log(`unknown key (refused by the worker from its negative cache):`);
  console.log(`  ${fmt(refusedAtEdge)}`);
  console.log(`stub origin fetched directly from Node (the floor):`);
  console.log(`  ${fmt(direct)}`);
  console.log(`account afterwards: ${list.callsToday} calls today, ${list.keys[0].activeConnections} leases held`);
} finally {
  await edge.dispose();
  await origin.close();
  rmSync(folder, { recursive: true, force: true });
}
