// Side-by-side benchmark of the apikeys package (pkg/, wasm in Node) against
// the same Rust built natively (bench/native), hash-wasm and @node-rs/argon2.
// Peers alternate round by round inside one run (the order rotates every
// round), and every figure is a median, so the ratios hold on a noisy machine
// even when absolute times drift. Prints a table; writes bench/results.json.
//
//   node bench/bench.mjs            # full run (a few minutes)
//   BENCH_QUICK=1 node bench/bench.mjs   # a smoke run with few samples
//
// Run it through scripts/bench.sh, which sets up, builds pkg/ and the native
// binary first.
import { spawn, execSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import os from "node:os";

import {
  Account, encodeBasic, parseBasic, generateSecret, hashSecret, verifySecret,
} from "../pkg/node.js";
import { argon2Verify } from "hash-wasm";

const here = (p) => new URL(p, import.meta.url);
const QUICK = !!process.env.BENCH_QUICK;
const now = Date.UTC(2026, 0, 15, 12); // fixed: the quota window never turns over

// ---------------------------------------------------------------- helpers

const ns = () => Number(process.hrtime.bigint());
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
const round = (x, d = 3) => Number.isFinite(x) ? Number(x.toPrecision(d)) : null;
/** Rotates `list` left by `k`: the order of peers changes every round. */
const rotate = (list, k) => list.map((_, i) => list[(i + k) % list.length]);
let sink = 0; // keeps results alive so nothing is optimised away

// ------------------------------------------------------------ the natives

/** The native build of the crate, driven line by line (see native/src/main.rs). */
function startNative() {
  const bin = here("native/target/release/apikeys-bench-native");
  if (!existsSync(bin)) {
    throw new Error("bench/native is not built: run scripts/bench.sh (it runs cargo build --release)");
  }
  const child = spawn(bin.pathname, [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(l));
  const ask = (cmd) => new Promise((resolve) => {
    waiting.push(resolve);
    child.stdin.write(cmd + "\n");
  });
  return {
    hash: (m, t, p, secret) => ask(`hash ${m} ${t} ${p} ${secret}`),
    /** Per-call times in ns of `n` verifications. */
    verify: async (n, secret, phc) => JSON.parse(await ask(`verify ${n} ${secret} ${phc}`)),
    /** Mean ns per call of parse_basic and encode_basic over `n` calls each. */
    basic: async (n, userId, password) => JSON.parse(await ask(`basic ${n} ${userId} ${password}`)),
    quit: () => { child.stdin.end("quit\n"); },
  };
}

// The prototype of bench/simd128 (argon2 with a wasm SIMD compression
// function): measured beside the shipped build when scripts/bench.sh built it.
let proto = null;
if (existsSync(here("simd128/target/pkg/node.js")) && process.env.BENCH_PROTOTYPE !== "0") {
  proto = await import(here("simd128/target/pkg/node.js").href);
}

let nodeRs = null;
try {
  nodeRs = await import("@node-rs/argon2");
} catch (e) {
  console.error(`@node-rs/argon2 unavailable here (${e.message.split("\n")[0]}): skipped`);
}

// ------------------------------------------------------------------ machine

function machine() {
  const cpu = os.cpus()[0]?.model?.trim() ?? "unknown";
  let commit = null;
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: here("..").pathname }).toString().trim();
  } catch {}
  let rustc = null;
  try { rustc = execSync("rustc --version").toString().trim(); } catch {}
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`,
    rustc, loadavg: os.loadavg().map((x) => round(x, 2)),
    date: new Date().toISOString(), commit,
  };
}

// ------------------------------------------------------------------- sizes

function sizes() {
  const file = (p) => readFileSync(here(`../pkg/${p}`));
  const wasm = file("apikeys_bg.wasm");
  const glue = file("apikeys.js");
  const entry = file("node.js");
  return {
    wasmBytes: wasm.length,
    wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
    glueBytes: glue.length,
    glueGzipBytes: gzipSync(glue, { level: 9 }).length,
    nodeEntryBytes: entry.length,
  };
}

// --------------------------------------------------------------- authorize

function benchAuthorize(calls) {
  const account = new Account({ dailyCalls: 100_000_000 });
  const admin = { role: "admin" };
  const key = account.createKey(admin, { name: "bench" }, now);
  const header = encodeBasic(key.keyId, key.secret);
  const once = (h) => {
    const d = account.authorize(h, "GET", now);
    if (d.leaseId !== undefined) account.release(d.leaseId, now);
    return d;
  };
  if (!once(header).ok || once(encodeBasic(key.keyId, generateSecret())).code !== "INVALID_SECRET") {
    throw new Error("authorize: the benchmark account does not behave");
  }
  for (let i = 0; i < Math.min(500, calls); i++) once(header); // warm-up
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = ns();
    const d = account.authorize(header, "GET", now);
    times[i] = ns() - t0;
    if (!d.ok) throw new Error(`authorize refused: ${d.code}`);
    account.release(d.leaseId, now);
  }
  // Process CPU time per call, in a second pass: the wall-clock p99 on a
  // shared machine includes time the process was not running at all.
  const cpu = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const c0 = process.cpuUsage();
    const d = account.authorize(header, "GET", now);
    const c = process.cpuUsage(c0);
    cpu[i] = (c.user + c.system) / 1e3;
    account.release(d.leaseId, now);
  }
  const ms = [...times].map((t) => t / 1e6);
  return {
    profile: "default (m=64 KiB, t=1, p=1)", calls,
    medianMs: round(median(ms)), p99Ms: round(quantile(ms, 0.99)),
    meanMs: round(ms.reduce((a, b) => a + b, 0) / ms.length),
    maxMs: round(Math.max(...ms)),
    cpuMedianMs: round(median(cpu)), cpuP99Ms: round(quantile(cpu, 0.99)),
  };
}

/**
 * A fresh instance's first calls, as a new edge isolate makes them: V8 runs
 * wasm first in its baseline compiler (Liftoff) and tiers hot functions up
 * to TurboFan in the background. Each run is a new Node process.
 */
function benchColdStart(runs) {
  const script = `
    const t0 = performance.now();
    const m = await import(${JSON.stringify(here("../pkg/node.js").href)});
    const t1 = performance.now();
    const now = ${now};
    const a = new m.Account({ dailyCalls: 100000000 });
    const k = a.createKey({ role: "admin" }, { name: "cold" }, now);
    const h = m.encodeBasic(k.keyId, k.secret);
    const ts = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      const d = a.authorize(h, "GET", now);
      ts.push(performance.now() - s);
      a.release(d.leaseId, now);
    }
    console.log(JSON.stringify({ importMs: t1 - t0, ts }));`;
  const out = [];
  for (let r = 0; r < runs; r++) {
    out.push(JSON.parse(execSync(`${JSON.stringify(process.execPath)} --input-type=module`, { input: script }).toString()));
  }
  const med = (f) => round(median(out.map(f)));
  return {
    runs,
    importMs: med((o) => o.importMs),
    firstAuthorizeMs: med((o) => o.ts[0]),
    calls2to10MedianMs: med((o) => median(o.ts.slice(1, 10))),
    calls101to200MedianMs: med((o) => median(o.ts.slice(100))),
  };
}

// ------------------------------------------------------------------ argon2

const SETS = [
  { name: "default", m: 64, t: 1, p: 1, perRound: 100 },
  { name: "m4096", m: 4096, t: 1, p: 1, perRound: 6 },
  { name: "owasp", m: 19456, t: 2, p: 1, perRound: 1 },
];

async function benchArgon2(native, rounds) {
  const secret = "pfs_benchmarkSecretWith256BitsOfEntropyAbcdefghijk123456";
  const out = [];
  for (const set of SETS) {
    const phc = hashSecret(secret, { memoryKiB: set.m, iterations: set.t, parallelism: set.p });
    // Every peer verifies the same PHC string, made by this package.
    const peers = {
      wasm: async (n) => {
        const ts = [];
        for (let i = 0; i < n; i++) {
          const t0 = ns();
          const ok = verifySecret(secret, phc);
          ts.push(ns() - t0);
          if (!ok) throw new Error("wasm verify failed");
        }
        return ts;
      },
      native: (n) => native.verify(n, secret, phc),
      ...(proto && {
        wasmSimd128: async (n) => {
          const ts = [];
          for (let i = 0; i < n; i++) {
            const t0 = ns();
            const ok = proto.verifySecret(secret, phc);
            ts.push(ns() - t0);
            if (!ok) throw new Error("simd128 prototype verify failed");
          }
          return ts;
        },
      }),
      hashWasm: async (n) => {
        const ts = [];
        for (let i = 0; i < n; i++) {
          const t0 = ns();
          const ok = await argon2Verify({ password: secret, hash: phc });
          ts.push(ns() - t0);
          if (!ok) throw new Error("hash-wasm verify failed");
        }
        return ts;
      },
    };
    if (nodeRs) {
      peers.nodeRs = async (n) => {
        const ts = [];
        for (let i = 0; i < n; i++) {
          const t0 = ns();
          const ok = nodeRs.verifySync(phc, secret);
          ts.push(ns() - t0);
          if (!ok) throw new Error("@node-rs/argon2 verify failed");
        }
        return ts;
      };
    }
    const names = Object.keys(peers);
    const samples = Object.fromEntries(names.map((k) => [k, []]));
    for (const k of names) await peers[k](Math.max(1, set.perRound >> 1)); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const k of rotate(names, r)) samples[k].push(...(await peers[k](set.perRound)));
    }
    const med = Object.fromEntries(names.map((k) => [k, median(samples[k]) / 1e6]));
    out.push({
      name: set.name, memoryKiB: set.m, iterations: set.t, parallelism: set.p,
      samplesPerPeer: samples.wasm.length,
      medianMs: Object.fromEntries(names.map((k) => [k, round(med[k], 4)])),
      ratios: {
        wasmOverNative: round(med.wasm / med.native),
        oursOverHashWasm: round(med.wasm / med.hashWasm),
        oursOverNodeRs: nodeRs ? round(med.wasm / med.nodeRs) : null,
        simd128PrototypeOverNative: proto ? round(med.wasmSimd128 / med.native) : null,
        simd128PrototypeOverHashWasm: proto ? round(med.wasmSimd128 / med.hashWasm) : null,
      },
    });
    process.stderr.write(`  argon2 ${set.name}: done\n`);
  }
  return out;
}

// ------------------------------------------------------------------- Basic

// The obvious hand-written JS, as a Node or a Workers developer would write it.
function parseBufferJs(header) {
  const [scheme, token] = header.trim().split(" ");
  if (scheme.toLowerCase() !== "basic" || !token) throw new Error("UNSUPPORTED_SCHEME");
  const text = Buffer.from(token, "base64").toString("utf8");
  const i = text.indexOf(":");
  if (i < 0) throw new Error("MALFORMED_CREDENTIALS");
  return { keyId: text.slice(0, i), secret: text.slice(i + 1) };
}
function parseAtobJs(header) {
  const [scheme, token] = header.trim().split(" ");
  if (scheme.toLowerCase() !== "basic" || !token) throw new Error("UNSUPPORTED_SCHEME");
  const text = atob(token); // Latin-1: the obvious code skips UTF-8 decoding
  const i = text.indexOf(":");
  if (i < 0) throw new Error("MALFORMED_CREDENTIALS");
  return { keyId: text.slice(0, i), secret: text.slice(i + 1) };
}
const encodeBufferJs = (id, secret) => "Basic " + Buffer.from(`${id}:${secret}`).toString("base64");
const encodeBtoaJs = (id, secret) => "Basic " + btoa(`${id}:${secret}`);

async function benchBasic(native, rounds, batch) {
  const keyId = "PFK-0f8fad5b-d9cb-469f-a165-70867728950e";
  const secret = "pfs_benchmarkSecretWith256BitsOfEntropyAbcdefghijk123456";
  const header = encodeBasic(keyId, secret);
  for (const f of [parseBasic, parseBufferJs, parseAtobJs]) {
    const c = f(header);
    if (c.keyId !== keyId || c.secret !== secret) throw new Error(`${f.name} disagrees`);
  }
  for (const f of [encodeBufferJs, encodeBtoaJs]) {
    if (f(keyId, secret) !== header) throw new Error(`${f.name} disagrees`);
  }
  const groups = {
    parse: {
      ours: () => { let s = 0; for (let i = 0; i < batch; i++) s += parseBasic(header).secret.length; return s; },
      buffer: () => { let s = 0; for (let i = 0; i < batch; i++) s += parseBufferJs(header).secret.length; return s; },
      atob: () => { let s = 0; for (let i = 0; i < batch; i++) s += parseAtobJs(header).secret.length; return s; },
    },
    encode: {
      ours: () => { let s = 0; for (let i = 0; i < batch; i++) s += encodeBasic(keyId, secret).length; return s; },
      buffer: () => { let s = 0; for (let i = 0; i < batch; i++) s += encodeBufferJs(keyId, secret).length; return s; },
      btoa: () => { let s = 0; for (let i = 0; i < batch; i++) s += encodeBtoaJs(keyId, secret).length; return s; },
    },
  };
  const out = {};
  const nativeNs = { parse: [], encode: [] };
  for (const [g, fns] of Object.entries(groups)) {
    const names = Object.keys(fns);
    for (const k of names) for (let w = 0; w < 3; w++) sink += fns[k](); // warm-up (JIT)
    const opsPerSec = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      for (const k of rotate(names, r)) {
        const t0 = ns();
        sink += fns[k]();
        opsPerSec[k].push(batch / ((ns() - t0) / 1e9));
      }
      if (g === "parse") {
        // The same Rust, natively: what the rule costs without the boundary.
        const n = await native.basic(batch, keyId, secret);
        nativeNs.parse.push(n.parseNs);
        nativeNs.encode.push(n.encodeNs);
      }
    }
    const med = Object.fromEntries(names.map((k) => [k, median(opsPerSec[k])]));
    const js = names.filter((k) => k !== "ours");
    out[g] = {
      opsPerSec: Object.fromEntries(names.map((k) => [k, Math.round(med[k])])),
      // > 1: ours is faster.
      oursOverJs: Object.fromEntries(js.map((k) => [k, round(med.ours / med[k])])),
    };
  }
  for (const g of ["parse", "encode"]) {
    out[g].opsPerSec.nativeRust = Math.round(1e9 / median(nativeNs[g]));
  }
  return out;
}

// -------------------------------------------------------------------- main

const rounds = QUICK ? 3 : 21;
const results = { machine: machine(), quick: QUICK };
const loadAtStart = os.loadavg()[0];
process.stderr.write(`bench: ${results.machine.cpu}, ${results.machine.nproc} CPUs, node ${process.version}${QUICK ? " (quick)" : ""}\n`);

results.size = sizes();
const native = startNative();
try {
  results.basic = await benchBasic(native, QUICK ? 5 : 21, QUICK ? 5_000 : 20_000);
  process.stderr.write("  basic: done\n");
  results.authorize = benchAuthorize(QUICK ? 1_000 : 10_000);
  results.authorize.coldStart = benchColdStart(QUICK ? 3 : 9);
  process.stderr.write("  authorize: done\n");
  results.argon2 = { operation: "verify (the same PHC string, made by hashSecret, for every peer)", sets: await benchArgon2(native, rounds) };
} finally {
  native.quit();
}

results.machine.loadavg1AtStartAndEnd = [round(loadAtStart, 2), round(os.loadavg()[0], 2)];
const A = results.authorize, S = results.size;
const owasp = results.argon2.sets.find((s) => s.name === "owasp");
results.targets = {
  authorizeMedianMs: { target: "<= 0.3", value: A.medianMs, met: A.medianMs <= 0.3 },
  authorizeP99Ms: { target: "<= 1", value: A.p99Ms, met: A.p99Ms <= 1 },
  owaspWasmOverNative: { target: "<= 1.3", value: owasp.ratios.wasmOverNative, met: owasp.ratios.wasmOverNative <= 1.3 },
  fasterThanHashWasm: {
    target: "ours/hash-wasm < 1 at every set",
    value: Object.fromEntries(results.argon2.sets.map((s) => [s.name, s.ratios.oursOverHashWasm])),
    met: results.argon2.sets.every((s) => s.ratios.oursOverHashWasm < 1),
  },
  parseBasicVsJs: {
    target: "ours/JS >= 1 (ops/s) against every hand-written version",
    value: results.basic.parse.oursOverJs,
    met: Object.values(results.basic.parse.oursOverJs).every((r) => r >= 1),
  },
  wasmGzipKiB: { target: "<= 64", value: round(S.wasmGzipBytes / 1024), met: S.wasmGzipBytes <= 64 * 1024 },
};

// A quick run does not overwrite the committed figures.
writeFileSync(here(QUICK ? "results.quick.json" : "results.json"), JSON.stringify(results, null, 2) + "\n");

// ------------------------------------------------------------------- table

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const lines = [];
const m = results.machine;
lines.push(`apikeys benchmark — ${m.cpu}, ${m.nproc} CPUs, node ${m.node}, 1-min load ${m.loadavg1AtStartAndEnd.join(" -> ")}${QUICK ? " (QUICK)" : ""}`);
lines.push("");
lines.push(`authorize (default profile, JS API in Node, ${A.calls} calls): median ${A.medianMs} ms, p99 ${A.p99Ms} ms wall clock (process CPU time: median ${A.cpuMedianMs} ms, p99 ${A.cpuP99Ms} ms)`);
const C = A.coldStart;
lines.push(`  a fresh instance (new process, median of ${C.runs}): import ${C.importMs} ms, first authorize ${C.firstAuthorizeMs} ms, calls 2-10 ${C.calls2to10MedianMs} ms, calls 101-200 ${C.calls101to200MedianMs} ms`);
lines.push("");
lines.push(`argon2id ${results.argon2.operation}, median ms per call:`);
lines.push(`${pad("set", 22)}${lpad("wasm (ours)", 12)}${lpad("native", 10)}${lpad("hash-wasm", 11)}${lpad("@node-rs", 10)}${lpad("wasm/nat", 10)}${lpad("ours/h-w", 10)}${lpad("ours/n-rs", 10)}` +
  (proto ? `${lpad("simd128 proto", 15)}${lpad("proto/nat", 10)}` : ""));
for (const s of results.argon2.sets) {
  const d = s.medianMs, r = s.ratios;
  lines.push(`${pad(`${s.name} m=${s.memoryKiB} t=${s.iterations} p=${s.parallelism}`, 22)}${lpad(d.wasm, 12)}${lpad(d.native, 10)}${lpad(d.hashWasm, 11)}${lpad(d.nodeRs ?? "-", 10)}${lpad(r.wasmOverNative, 10)}${lpad(r.oursOverHashWasm, 10)}${lpad(r.oursOverNodeRs ?? "-", 10)}` +
    (proto ? `${lpad(d.wasmSimd128, 15)}${lpad(r.simd128PrototypeOverNative, 10)}` : ""));
}
if (proto) lines.push("(simd128 proto: bench/simd128, argon2 patched with a wasm SIMD compression function; not shipped)");
lines.push("");
lines.push("Basic credentials, ops/s (ratio > 1: ours is faster):");
for (const [g, v] of Object.entries(results.basic)) {
  const o = v.opsPerSec;
  lines.push(`  ${pad(g === "parse" ? "parseBasic" : "encodeBasic", 12)} ours ${lpad(o.ours.toLocaleString("en"), 11)}   ` +
    Object.entries(v.oursOverJs).map(([k, r]) => `${k} ${o[k].toLocaleString("en")} (ours/${k} ${r})`).join("   ") +
    `   [native Rust, no boundary: ${o.nativeRust.toLocaleString("en")}]`);
}
lines.push("");
lines.push(`size: .wasm ${S.wasmBytes} B raw, ${S.wasmGzipBytes} B gzipped (${round(S.wasmGzipBytes / 1024)} KiB); JS glue apikeys.js ${S.glueBytes} B (${S.glueGzipBytes} B gzipped), node.js ${S.nodeEntryBytes} B`);
lines.push("");
lines.push("targets:");
for (const [k, t] of Object.entries(results.targets)) {
  lines.push(`  ${t.met ? "met    " : "NOT met"} ${pad(k, 22)} ${pad(t.target, 46)} ${typeof t.value === "object" ? JSON.stringify(t.value) : t.value}`);
}
console.log(lines.join("\n"));
if (sink === 0.5) console.log(sink);
