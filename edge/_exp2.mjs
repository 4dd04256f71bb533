import { startOrigin, newAccountId, ADMIN_TOKEN, Client } from "./test/harness.mjs";
import { Miniflare } from "miniflare";
import { buildWorker } from "./scripts/build.mjs";
import { mkdtempSync } from "node:fs";
import { encodeBasic } from "apikeys";
const origin = await startOrigin();
const built = await buildWorker({ entry: "_exp/src/worker.js", outdir: "_exp/dist" });
const mf = new Miniflare({ host: "127.0.0.1", durableObjectsPersist: mkdtempSync("/dev/shm/edge-"), workers: [{ name: "edge", modules: built.modules, modulesRoot: built.modulesRoot, compatibilityDate: "2026-04-01", compatibilityFlags: ["enable_request_signal"], bindings: { UPSTREAM_ORIGIN: origin.url, ADMIN_TOKEN }, unsafeDirectSockets: [{ host: "127.0.0.1" }], durableObjects: { ACCOUNTS: { className: "AccountObject", useSQLite: true }, KEY_DIRECTORY: { className: "KeyDirectory", useSQLite: true } } }] });
const base = (await mf.unsafeGetDirectURL("edge")).origin;
const client = new Client(base);
const acct = newAccountId("x");
const keys = []; for (const n of ["a", "b", "c"]) keys.push(encodeBasic(...Object.values(await client.createKey(acct, { name: n })).slice(0, 2)));
for (const PAR of [1, 3, 9]) {
  const N = 300; let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: PAR }, async (_, w) => { while (next < N) { next++; const r = await fetch(base + "/v1/x", { headers: { Authorization: keys[w % 3] } }); await r.arrayBuffer(); if (r.status !== 200) throw new Error(r.status); } }));
  console.log((process.argv[2] ?? "").padEnd(12), `PAR ${PAR}: ${(N / (performance.now() - t0) * 1000).toFixed(0)} admitted/s`);
}
await mf.dispose(); await origin.close();
