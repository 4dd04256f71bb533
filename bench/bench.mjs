// Side-by-side benchmark of the apikeys package (pkg/, wasm in Node) against
// the same Rust built natively (bench/native), hash-wasm and @node-rs/argon2.
// Peers alternate round by round inside one run (the order rotates every
// round), and every figure is a median, so the ratios hold on a noisy machine
// even when absolute times drift. Prints a table; writes bench/results.json.
//
//   node bench/bench.mjs            # full run (a few minutes)
//   BENCH_QUICK=1 node bench/bench.mjs   # a smoke run with few samples
//   BENCH_RUNS=3 node bench/bench.mjs    # the whole bench three times; every run is recorded
//   BASELINE_PKG=/path/to/pkg node bench/bench.mjs   # another build of the package
//                                      # measured side by side (cold start, size, argon2)
//
// Run it through scripts/bench.sh, which sets up, builds pkg/, the native
// binary and the size floor (bench/floor) first.
import { spawn, execSync, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import os from "node:os";

import * as ours from "../pkg/node.js";
const { Account, encodeBasic, parseBasic, generateSecret, hashSecret, verifySecret } = ours;
import { argon2Verify } from "hash-wasm";

const here = (p) => new URL(p, import.meta.url);
const QUICK = !!process.env.BENCH_QUICK;
const RUNS = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? "1", 10) || 1);
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

// Another build of the package (BASELINE_PKG: a pkg/ directory, e.g. built
// from the commit this work started from), measured beside ours.
let baseline = null;
if (process.env.BASELINE_PKG) {
  const dir = resolve(process.env.BASELINE_PKG);
  const entry = pathToFileURL(`${dir}/node.js`);
  if (!existsSync(entry)) throw new Error(`BASELINE_PKG=${dir}: no node.js there (a pkg/ built by scripts/build.sh?)`);
  let commit = null;
  try { commit = readFileSync(`${dir}/COMMIT`, "utf8").trim(); } catch {}
  baseline = { dir, entry, commit, m: await import(entry.href) };
}

// What the figures of issue 10 compare with when no BASELINE_PKG is given:
// bench/results.json as committed at 1593280 (another day, another load).
const COMMITTED_BASELINE = {
  source: "committed figures of 1593280 (bench/results.json there: AMD EPYC, median of 9 processes, 1-min load 1.7)",
  commit: "1593280",
  cpu: "AMD EPYC",
  coldStart: { importMs: 20.6, firstAuthorizeMs: 5.79, totalMs: 26.4 },
  wasmGzipBytes: 109653,
  oursOverHashWasm: { default: 0.135, m4096: 0.553, owasp: 0.74 },
  oursOverNodeRs: { default: 1.26, m4096: 1.79, owasp: 1.88 },
};

// ------------------------------------------------------------------ machine

function machine() {
  const cpu = os.cpus()[0]?.model?.trim() ?? "unknown";
  let commit = null;
  try {
    const git = (a) => execSync(`git ${a}`, { cwd: here("..").pathname }).toString().trim();
    commit = git("rev-parse --short HEAD") + (git("status --porcelain --untracked-files=no -- . :!bench/results.json") ? "+changes" : "");
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

const gz = (buf) => gzipSync(buf, { level: 9 }).length;

function sizes(dir = here("../pkg/").pathname) {
  const file = (p) => readFileSync(`${dir}/${p}`);
  const wasm = file("apikeys_bg.wasm");
  const glue = file("apikeys.js");
  const entry = file("node.js");
  return {
    wasmBytes: wasm.length,
    wasmGzipBytes: gz(wasm),
    glueBytes: glue.length,
    glueGzipBytes: gz(glue),
    nodeEntryBytes: entry.length,
  };
}

/**
 * The floor (bench/floor, built by its build.sh with the package's profile
 * and wasm-opt step): only argon2, base64, getrandom and wasm-bindgen.
 */
function floorSize() {
  const f = here("floor/target/pkg/floor_bg.wasm");
  if (!existsSync(f)) return null;
  const wasm = readFileSync(f);
  return {
    crates: "argon2, base64, getrandom, wasm-bindgen (bench/floor)",
    wasmBytes: wasm.length, wasmGzipBytes: gz(wasm),
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
 * `authorize` beside the one argon2 verification it contains: the same key's
 * stored hash (default profile) through `verifySecret`, the two timed in
 * alternation (the order flips every call), so the ratio of the medians is
 * the cost of everything in `authorize` but the hash.
 */
function benchAuthorizeOverVerify(m, calls) {
  const account = new m.Account({ dailyCalls: 100_000_000 });
  const key = account.createKey({ role: "admin" }, { name: "bench" }, now);
  const header = m.encodeBasic(key.keyId, key.secret);
  const phc = account.toJSON().keys?.[0]?.secretHash ?? m.hashSecret(key.secret);
  if (!m.verifySecret(key.secret, phc)) throw new Error("authorize/verify: the stored hash does not verify");
  const auth = () => {
    const t0 = ns();
    const d = account.authorize(header, "GET", now);
    const t = ns() - t0;
    if (!d.ok) throw new Error(`authorize refused: ${d.code}`);
    account.release(d.leaseId, now);
    return t;
  };
  const ver = () => {
    const t0 = ns();
    const ok = m.verifySecret(key.secret, phc);
    const t = ns() - t0;
    if (!ok) throw new Error("verifySecret failed");
    return t;
  };
  for (let i = 0; i < Math.min(500, calls); i++) { auth(); ver(); } // warm-up
  const a = new Float64Array(calls), v = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    if (i & 1) { v[i] = ver(); a[i] = auth(); } else { a[i] = auth(); v[i] = ver(); }
  }
  const am = median(a) / 1e6, vm = median(v) / 1e6;
  return { calls, authorizeMedianMs: round(am), verifySecretMedianMs: round(vm), ratio: round(am / vm) };
}

/**
 * Cold start: what a new edge isolate or a new Node process pays before its
 * first answer. Every sample is a new Node process (`node --input-type=module`,
 * the script on stdin) that times itself with performance.now():
 *
 * - `package`: t0, `await import(<pkg>/node.js)`, t1 (= importMs); then, untimed,
 *   `new Account()`, `createKey`, `encodeBasic`; then t2, the first
 *   `authorize(header, "GET", now)`, t3 (= firstAuthorizeMs). totalMs = importMs +
 *   firstAuthorizeMs of the same process. This is the definition of the
 *   committed figure of 1593280 (import 20.6 + first authorize 5.79 ms); then
 *   199 more calls (calls 2-10 and 101-200).
 * - `edge`: an edge worker's path: t0, import, `Account.fromJSON(state)` (a state
 *   with one key, made beforehand by the same package), the first `authorize`, t1.
 *   Nothing ran in the module before (createKey above has already compiled
 *   the argon2 code when `package` times its first authorize).
 * - `empty`: the floor, t0, `await import(<an empty ES module>)`, t1.
 *
 * Each round runs every kind once, in an order that rotates; figures are
 * medians over the rounds. processMs is the child's whole life seen by the
 * parent (spawn to exit: Node's own start-up included).
 */
function benchColdStart(runs, pkgs) {
  const header = `const now = ${now};\n`;
  const scripts = {
    empty: () => `
      const t0 = performance.now();
      await import(${JSON.stringify(here("cold/empty.mjs").href)});
      const t1 = performance.now();
      console.log(JSON.stringify({ importMs: t1 - t0 }));`,
    package: (entry) => header + `
      const cpu = (c) => (c.user + c.system) / 1e3;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const m = await import(${JSON.stringify(entry)});
      const t1 = performance.now();
      const importCpuMs = cpu(process.cpuUsage(c0));
      const a = new m.Account({ dailyCalls: 100000000 });
      const k = a.createKey({ role: "admin" }, { name: "cold" }, now);
      const h = m.encodeBasic(k.keyId, k.secret);
      const ts = [];
      let firstCpuMs;
      for (let i = 0; i < 200; i++) {
        const c = process.cpuUsage();
        const s = performance.now();
        const d = a.authorize(h, "GET", now);
        ts.push(performance.now() - s);
        if (i === 0) firstCpuMs = cpu(process.cpuUsage(c));
        if (!d.ok) throw new Error(d.code);
        a.release(d.leaseId, now);
      }
      console.log(JSON.stringify({ importMs: t1 - t0, ts, cpuMs: importCpuMs + firstCpuMs }));`,
    edge: (entry, state, h) => header + `
      const state = ${JSON.stringify(state)};
      const h = ${JSON.stringify(h)};
      const t0 = performance.now();
      const m = await import(${JSON.stringify(entry)});
      const a = m.Account.fromJSON(state);
      const d = a.authorize(h, "GET", now);
      const t1 = performance.now();
      if (!d.ok) throw new Error(d.code);
      console.log(JSON.stringify({ totalMs: t1 - t0 }));`,
  };
  const jobs = [{ id: "empty", script: scripts.empty() }];
  for (const p of pkgs) {
    const a = new p.m.Account({ dailyCalls: 100_000_000 });
    const k = a.createKey({ role: "admin" }, { name: "cold" }, now);
    jobs.push({ id: `${p.name}.package`, script: scripts.package(p.entry) });
    jobs.push({ id: `${p.name}.edge`, script: scripts.edge(p.entry, a.toJSON(), p.m.encodeBasic(k.keyId, k.secret)) });
  }
  const out = Object.fromEntries(jobs.map((j) => [j.id, []]));
  for (let r = 0; r < runs; r++) {
    for (const j of rotate(jobs, r % jobs.length)) {
      const t0 = ns();
      const text = execFileSync(process.execPath, ["--input-type=module"], { input: j.script }).toString();
      const processMs = (ns() - t0) / 1e6;
      out[j.id].push({ ...JSON.parse(text), processMs });
    }
  }
  const med = (id, f) => round(median(out[id].map(f)));
  const result = {
    runs,
    empty: { importMs: med("empty", (o) => o.importMs), processMs: med("empty", (o) => o.processMs) },
  };
  if (pkgs.length > 1) {
    // The same two kinds in the same round, as a ratio, then the median over
    // rounds: the load of the moment cancels out (a check on the ratio of medians).
    const total = (o) => o.importMs + o.ts[0];
    result.pairedOursOverBaseline = round(median(out["ours.package"].map((o, r) => total(o) / total(out["baseline.package"][r]))));
    result.cpuOursOverBaseline = round(median(out["ours.package"].map((o) => o.cpuMs)) / median(out["baseline.package"].map((o) => o.cpuMs)));
    result.pairedEdgeOursOverBaseline = round(median(out["ours.edge"].map((o, r) => o.totalMs / out["baseline.edge"][r].totalMs)));
  }
  for (const p of pkgs) {
    const P = `${p.name}.package`, E = `${p.name}.edge`;
    result[p.name] = {
      importMs: med(P, (o) => o.importMs),
      firstAuthorizeMs: med(P, (o) => o.ts[0]),
      totalMs: med(P, (o) => o.importMs + o.ts[0]),
      cpuTotalMs: med(P, (o) => o.cpuMs),
      calls2to10MedianMs: med(P, (o) => median(o.ts.slice(1, 10))),
      calls101to200MedianMs: med(P, (o) => median(o.ts.slice(100))),
      processMs: med(P, (o) => o.processMs),
      edgeTotalMs: med(E, (o) => o.totalMs),
      edgeProcessMs: med(E, (o) => o.processMs),
    };
  }
  return result;
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
      ...(baseline && {
        baseline: async (n) => {
          const ts = [];
          for (let i = 0; i < n; i++) {
            const t0 = ns();
            const ok = baseline.m.verifySecret(secret, phc);
            ts.push(ns() - t0);
            if (!ok) throw new Error("baseline verify failed");
          }
          return ts;
        },
      }),
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
        ...(baseline && {
          oursOverBaseline: round(med.wasm / med.baseline),
          baselineOverHashWasm: round(med.baseline / med.hashWasm),
          baselineOverNodeRs: nodeRs ? round(med.baseline / med.nodeRs) : null,
        }),
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
const results = { machine: machine(), quick: QUICK, runs: RUNS };
const loadAtStart = os.loadavg()[0];
process.stderr.write(`bench: ${results.machine.cpu}, ${results.machine.nproc} CPUs, node ${process.version}` +
  `${QUICK ? " (quick)" : ""}${RUNS > 1 ? `, ${RUNS} runs` : ""}${baseline ? `, baseline ${baseline.dir}` : ""}\n`);

results.size = sizes();
results.size.floor = floorSize();
if (results.size.floor) results.size.floor.oursMinusFloorGzipBytes = results.size.wasmGzipBytes - results.size.floor.wasmGzipBytes;
if (baseline) results.size.baseline = { dir: baseline.dir, commit: baseline.commit, ...sizes(baseline.dir) };

// The whole bench RUNS times in this process (cold starts are new processes
// anyway); the detailed figures are the last run's, `runs` has every run's.
const committedCaveat = results.machine.cpu === COMMITTED_BASELINE.cpu ? ""
  : `; NOT comparable: this machine is "${results.machine.cpu}" (set BASELINE_PKG)`;
const pkgs = [{ name: "ours", entry: here("../pkg/node.js").href, m: ours }];
if (baseline) pkgs.push({ name: "baseline", entry: baseline.entry.href, m: baseline.m });
const perRun = [];
const native = startNative();
try {
  for (let run = 1; run <= RUNS; run++) {
    if (RUNS > 1) process.stderr.write(`run ${run} of ${RUNS}\n`);
    const load0 = os.loadavg()[0];
    results.basic = await benchBasic(native, QUICK ? 5 : 21, QUICK ? 5_000 : 20_000);
    process.stderr.write("  basic: done\n");
    results.authorize = benchAuthorize(QUICK ? 1_000 : 10_000);
    results.authorize.overVerifySecret = benchAuthorizeOverVerify(ours, QUICK ? 1_000 : 10_000);
    if (baseline) results.authorize.baselineOverVerifySecret = benchAuthorizeOverVerify(baseline.m, QUICK ? 1_000 : 10_000);
    process.stderr.write("  authorize: done\n");
    const cold = benchColdStart(QUICK ? 3 : 20, pkgs);
    const base = cold.baseline
      ? { source: `measured in this run: BASELINE_PKG=${baseline.dir}${baseline.commit ? ` (${baseline.commit})` : ""}`, ...cold.baseline }
      : { ...COMMITTED_BASELINE.coldStart, source: COMMITTED_BASELINE.source + committedCaveat };
    results.authorize.coldStart = {
      definition: "new Node process: import of pkg/node.js, then (untimed) new Account + createKey + encodeBasic, then the first authorize; totalMs = import + first authorize of the same process; median over processes (bench/README.md)",
      runs: cold.runs,
      ...cold.ours,
      floor: { emptyModuleImportMs: cold.empty.importMs, emptyModuleProcessMs: cold.empty.processMs },
      baseline: base,
      oursOverBaseline: round(cold.ours.totalMs / base.totalMs),
      ...(cold.baseline && {
        edgeOursOverBaseline: round(cold.ours.edgeTotalMs / cold.baseline.edgeTotalMs),
        pairedOursOverBaseline: cold.pairedOursOverBaseline,
        pairedEdgeOursOverBaseline: cold.pairedEdgeOursOverBaseline,
        cpuOursOverBaseline: cold.cpuOursOverBaseline,
      }),
    };
    process.stderr.write("  cold start: done\n");
    results.argon2 = { operation: "verify (the same PHC string, made by hashSecret, for every peer)", sets: await benchArgon2(native, rounds) };
    const C = results.authorize.coldStart;
    perRun.push({
      run, loadavg1AtStartAndEnd: [round(load0, 2), round(os.loadavg()[0], 2)],
      authorizeMedianMs: results.authorize.medianMs, authorizeP99Ms: results.authorize.p99Ms,
      authorizeOverVerifySecret: results.authorize.overVerifySecret.ratio,
      coldStartTotalMs: C.totalMs, coldStartOverBaseline: C.oursOverBaseline,
      ...(C.pairedOursOverBaseline != null && { coldStartPairedOverBaseline: C.pairedOursOverBaseline, edgePairedOverBaseline: C.pairedEdgeOursOverBaseline }),
      emptyModuleImportMs: C.floor.emptyModuleImportMs,
      argon2: Object.fromEntries(results.argon2.sets.map((s) => [s.name, { medianMs: s.medianMs, ratios: s.ratios }])),
    });
  }
} finally {
  native.quit();
}
results.perRun = perRun;

// Run-to-run spread of the argon2 ratios: [min, max] over the runs, per set.
const spread = (f) => {
  const xs = perRun.map(f).filter((x) => x != null);
  return xs.length ? [Math.min(...xs), Math.max(...xs)] : null;
};
results.argon2.spread = Object.fromEntries(results.argon2.sets.map((s) => [s.name, {
  oursOverHashWasm: spread((r) => r.argon2[s.name].ratios.oursOverHashWasm),
  oursOverNodeRs: spread((r) => r.argon2[s.name].ratios.oursOverNodeRs),
  wasmOverNative: spread((r) => r.argon2[s.name].ratios.wasmOverNative),
  ...(baseline && {
    oursOverBaseline: spread((r) => r.argon2[s.name].ratios.oursOverBaseline),
    baselineOverHashWasm: spread((r) => r.argon2[s.name].ratios.baselineOverHashWasm),
    baselineOverNodeRs: spread((r) => r.argon2[s.name].ratios.baselineOverNodeRs),
  }),
}]));

results.machine.loadavg1AtStartAndEnd = [round(loadAtStart, 2), round(os.loadavg()[0], 2)];
const A = results.authorize, S = results.size, C = A.coldStart;
const owasp = results.argon2.sets.find((s) => s.name === "owasp");
// No regression: at every set, the best of our runs is within the baseline's
// range over the same runs (or at most the committed figure when no baseline
// was measured), against hash-wasm and against @node-rs/argon2.
const noRegression = (() => {
  const value = {}, ok = [];
  if (!baseline) {
    for (const s of results.argon2.sets) {
      const sp = results.argon2.spread[s.name];
      value[s.name] = { oursOverHashWasm: sp.oursOverHashWasm, oursOverNodeRs: sp.oursOverNodeRs,
        committed: { oursOverHashWasm: COMMITTED_BASELINE.oursOverHashWasm[s.name], oursOverNodeRs: COMMITTED_BASELINE.oursOverNodeRs[s.name] } };
    }
    return { value, met: null, note: "not judged: no baseline measured in these runs (BASELINE_PKG); the committed figures are beside ours" };
  }
  for (const s of results.argon2.sets) {
    const sp = results.argon2.spread[s.name];
    for (const [peer, key, bkey] of [["hashWasm", "oursOverHashWasm", "baselineOverHashWasm"], ["nodeRs", "oursOverNodeRs", "baselineOverNodeRs"]]) {
      if (!sp[key]) continue;
      const ref = sp[bkey];
      if (!ref) continue;
      value[`${s.name}.${key}`] = { ours: sp[key], baseline: ref };
      ok.push(sp[key][0] <= ref[1]);
    }
  }
  return { value, met: ok.length > 0 && ok.every(Boolean) };
})();
results.targets = {
  authorizeMedianMs: { target: "<= 0.3", value: A.medianMs, met: A.medianMs <= 0.3 },
  authorizeP99Ms: { target: "<= 1", value: A.p99Ms, met: A.p99Ms <= 1 },
  authorizeOverVerifySecret: { target: "<= 1.15 (p50 authorize / p50 verifySecret, default profile)", value: A.overVerifySecret.ratio, met: A.overVerifySecret.ratio <= 1.15 },
  coldStartOverBaseline: {
    target: `<= 0.60 (import + first authorize, new / ${baseline ? "baseline measured in this run" : `committed figure of 1593280${committedCaveat ? ", another CPU" : ""}`})`,
    value: C.oursOverBaseline, met: C.oursOverBaseline <= 0.6,
  },
  owaspWasmOverNative: { target: "<= 1.3", value: owasp.ratios.wasmOverNative, met: owasp.ratios.wasmOverNative <= 1.3 },
  fasterThanHashWasm: {
    target: "ours/hash-wasm < 1 at every set",
    value: Object.fromEntries(results.argon2.sets.map((s) => [s.name, s.ratios.oursOverHashWasm])),
    met: results.argon2.sets.every((s) => s.ratios.oursOverHashWasm < 1),
  },
  argon2NoRegression: {
    target: "min over runs of ours/peer <= max over the same runs of baseline/peer, every set, peers hash-wasm and @node-rs",
    ...noRegression,
  },
  wasmGzipKiB: { target: "<= 48", value: round(S.wasmGzipBytes / 1024), met: S.wasmGzipBytes <= 48 * 1024 },
};

// A quick run does not overwrite the committed figures.
writeFileSync(here(QUICK ? "results.quick.json" : "results.json"), JSON.stringify(results, null, 2) + "\n");

// ------------------------------------------------------------------- table

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const kib = (b) => `${round(b / 1024)} KiB`;
const lines = [];
const m = results.machine;
lines.push(`apikeys benchmark — ${m.cpu}, ${m.nproc} CPUs, node ${m.node}, 1-min load ${m.loadavg1AtStartAndEnd.join(" -> ")}${QUICK ? " (QUICK)" : ""}${RUNS > 1 ? `, ${RUNS} runs (details: the last)` : ""}`);
lines.push("");
lines.push(`authorize (default profile, JS API in Node, ${A.calls} calls): median ${A.medianMs} ms, p99 ${A.p99Ms} ms wall clock (process CPU time: median ${A.cpuMedianMs} ms, p99 ${A.cpuP99Ms} ms)`);
const V = A.overVerifySecret;
lines.push(`  beside one verifySecret of its stored hash (alternating, ${V.calls} each): authorize ${V.authorizeMedianMs} ms / verifySecret ${V.verifySecretMedianMs} ms = ${V.ratio}` +
  (A.baselineOverVerifySecret ? `   [baseline: ${A.baselineOverVerifySecret.authorizeMedianMs} / ${A.baselineOverVerifySecret.verifySecretMedianMs} = ${A.baselineOverVerifySecret.ratio}]` : ""));
lines.push(`cold start (a new Node process each, median of ${C.runs}):`);
lines.push(`  ours       import ${C.importMs} ms + first authorize ${C.firstAuthorizeMs} ms: ${C.totalMs} ms (CPU ${C.cpuTotalMs} ms); import+fromJSON+authorize (edge) ${C.edgeTotalMs} ms; whole process ${C.processMs} ms; calls 2-10 ${C.calls2to10MedianMs} ms, 101-200 ${C.calls101to200MedianMs} ms`);
const B = C.baseline;
lines.push(`  baseline   import ${B.importMs} ms + first authorize ${B.firstAuthorizeMs} ms: ${B.totalMs} ms` +
  (B.cpuTotalMs != null ? ` (CPU ${B.cpuTotalMs} ms)` : "") +
  (B.edgeTotalMs != null ? `; edge ${B.edgeTotalMs} ms; whole process ${B.processMs} ms` : "") + `   (${B.source})`);
lines.push(`  floor      an empty ES module: import ${C.floor.emptyModuleImportMs} ms, whole process ${C.floor.emptyModuleProcessMs} ms`);
lines.push(`  ours/baseline ${C.oursOverBaseline}${C.edgeOursOverBaseline != null ? ` (edge path ${C.edgeOursOverBaseline}); median of the per-round ratios ${C.pairedOursOverBaseline} (edge path ${C.pairedEdgeOursOverBaseline}); process CPU time ${C.cpuOursOverBaseline}` : ""}`);
if (RUNS > 1) lines.push(`  ours/baseline over the runs: ${perRun.map((r) => r.coldStartOverBaseline).join(", ")}`);
lines.push("");
lines.push(`argon2id ${results.argon2.operation}, median ms per call:`);
const hasBase = !!baseline;
lines.push(`${pad("set", 22)}${lpad("wasm (ours)", 12)}${lpad("native", 10)}${lpad("hash-wasm", 11)}${lpad("@node-rs", 10)}${lpad("wasm/nat", 10)}${lpad("ours/h-w", 10)}${lpad("ours/n-rs", 10)}` +
  (hasBase ? `${lpad("baseline", 10)}${lpad("ours/base", 10)}` : "") +
  (proto ? `${lpad("simd128 proto", 15)}${lpad("proto/nat", 10)}` : ""));
for (const s of results.argon2.sets) {
  const d = s.medianMs, r = s.ratios;
  lines.push(`${pad(`${s.name} m=${s.memoryKiB} t=${s.iterations} p=${s.parallelism}`, 22)}${lpad(d.wasm, 12)}${lpad(d.native, 10)}${lpad(d.hashWasm, 11)}${lpad(d.nodeRs ?? "-", 10)}${lpad(r.wasmOverNative, 10)}${lpad(r.oursOverHashWasm, 10)}${lpad(r.oursOverNodeRs ?? "-", 10)}` +
    (hasBase ? `${lpad(d.baseline, 10)}${lpad(r.oursOverBaseline, 10)}` : "") +
    (proto ? `${lpad(d.wasmSimd128, 15)}${lpad(r.simd128PrototypeOverNative, 10)}` : ""));
}
if (proto) lines.push("(simd128 proto: bench/simd128, argon2 patched with a wasm SIMD compression function; not shipped)");
if (RUNS > 1) {
  lines.push(`run to run, [min, max] over ${RUNS} runs:`);
  for (const [name, sp] of Object.entries(results.argon2.spread)) {
    lines.push(`  ${pad(name, 8)} ` + Object.entries(sp).filter(([, v]) => v).map(([k, v]) => `${k} ${v.join("-")}`).join("   "));
  }
}
lines.push("");
lines.push("Basic credentials, ops/s (ratio > 1: ours is faster):");
for (const [g, v] of Object.entries(results.basic)) {
  const o = v.opsPerSec;
  lines.push(`  ${pad(g === "parse" ? "parseBasic" : "encodeBasic", 12)} ours ${lpad(o.ours.toLocaleString("en"), 11)}   ` +
    Object.entries(v.oursOverJs).map(([k, r]) => `${k} ${o[k].toLocaleString("en")} (ours/${k} ${r})`).join("   ") +
    `   [native Rust, no boundary: ${o.nativeRust.toLocaleString("en")}]`);
}
lines.push("");
lines.push(`size: .wasm ${S.wasmBytes} B raw, ${S.wasmGzipBytes} B gzipped (${kib(S.wasmGzipBytes)}); JS glue apikeys.js ${S.glueBytes} B (${S.glueGzipBytes} B gzipped), node.js ${S.nodeEntryBytes} B`);
if (S.floor) lines.push(`  floor (${S.floor.crates}): ${S.floor.wasmBytes} B raw, ${S.floor.wasmGzipBytes} B gzipped (${kib(S.floor.wasmGzipBytes)}); ours - floor = ${kib(S.wasmGzipBytes - S.floor.wasmGzipBytes)} gzipped`);
else lines.push("  floor: not built (bench/floor/build.sh)");
if (S.baseline) lines.push(`  baseline: ${S.baseline.wasmBytes} B raw, ${S.baseline.wasmGzipBytes} B gzipped (${kib(S.baseline.wasmGzipBytes)})`);
else lines.push(`  baseline: ${COMMITTED_BASELINE.wasmGzipBytes} B gzipped (${kib(COMMITTED_BASELINE.wasmGzipBytes)}, committed figure of 1593280)`);
lines.push("");
lines.push("targets:");
const compact = (v) => Object.entries(v).map(([k, x]) => x.ours
  ? `${k} ${x.ours.join("-")} vs ${x.baseline.join("-")}`
  : `${k} h-w ${x.oursOverHashWasm?.join("-")} (committed ${x.committed.oursOverHashWasm}), n-rs ${x.oursOverNodeRs?.join("-")} (committed ${x.committed.oursOverNodeRs})`).join("; ");
for (const [k, t] of Object.entries(results.targets)) {
  if (k === "argon2NoRegression") {
    lines.push(`  ${t.met == null ? "n/a    " : t.met ? "met    " : "NOT met"} ${pad(k, 26)} ${t.target}`);
    lines.push(`          ${compact(t.value)}${t.note ? ` (${t.note})` : ""}`);
    continue;
  }
  lines.push(`  ${t.met == null ? "n/a    " : t.met ? "met    " : "NOT met"} ${pad(k, 26)} ${pad(t.target, 46)} ${typeof t.value === "object" ? JSON.stringify(t.value) : t.value}`);
}
console.log(lines.join("\n"));
if (sink === 0.5) console.log(sink);
