// Hostile input through the JS API (issue 7, SECURITY.md): no wasm trap
// reaches JS, every expected error carries its stable `code`, `authorize`
// never throws, no part of a secret comes back out, and after all of it the
// SAME module instance still creates keys and authorizes correctly.
//
// B1–B4 at the end are the binding-layer bugs these tests found (SECURITY.md,
// "Findings"), fixed in src/js.rs; the tests keep them fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

import * as api from "../../pkg/node.js";

const {
  Account, encodeBasic, parseBasic, generateKeyId, isKeyId, generateSecret, isSecret,
  hashSecret, verifySecret, needsRehash, verify,
} = api;

const T0 = Date.UTC(2026, 0, 1);
const admin = { role: "admin" };
const TINY = { memoryKiB: 8, iterations: 1, parallelism: 1 };
const pkgNode = new URL("../../pkg/node.js", import.meta.url).href;

// ---------------------------------------------------------------------------
// Bad values.

function cyclic() {
  const o = { version: 1, keys: [] };
  o.self = o;
  o.keys.push(o);
  return o;
}
const deepArray = () => { let v = []; for (let i = 0; i < 100_000; i++) v = [v]; return v; };
const deepObject = () => { let v = {}; for (let i = 0; i < 100_000; i++) v = { limits: v }; return v; };
const throwingProxy = () => new Proxy({}, {
  get() { throw new Error("proxy get"); },
  ownKeys() { throw new Error("proxy ownKeys"); },
  has() { throw new Error("proxy has"); },
  getOwnPropertyDescriptor() { throw new Error("proxy gopd"); },
});
const revokedProxy = () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; };
const throwingGetters = () => ({ get name() { throw new Error("getter"); }, get version() { throw new Error("getter"); } });
const MB = "Basic " + "QUJD".repeat(1 << 18);

/** Values that are wrong for (nearly) every argument. */
const BAD = {
  undefined: () => undefined,
  null: () => null,
  true: () => true,
  zero: () => 0,
  minusOne: () => -1,
  NaN: () => NaN,
  Infinity: () => Infinity,
  minusInfinity: () => -Infinity,
  huge: () => 1e308,
  beyondDate: () => 8.64e15 + 1,
  emptyString: () => "",
  loneSurrogates: () => "\uD800x\uDC00",
  nul: () => "\u0000",
  megabyte: () => MB,
  array: () => [1, "a", null],
  emptyObject: () => ({}),
  nullProto: () => Object.create(null),
  boxedString: () => new String("Basic x"),
  func: () => function f() {},
  date: () => new Date(T0),
  cyclic,
  deepArray,
  deepObject,
  throwingGetters,
  throwingProxy,
  revokedProxy,
  symbol: () => Symbol("s"),
  bigint: () => 10n,
  throwingValueOf: () => ({ valueOf() { throw new Error("valueOf"); }, toString() { throw new Error("toString"); } }),
};

/**
 * Fixed gaps, each kept fixed by its B test at the end: the combinations
 * where the binding layer once let a trap or an uncoded error through.
 *   B1: a non-string where the Rust side takes `&str` traps in wasm-bindgen's
 *       string copy ("memory access out of bounds").
 *   B2: a value whose ToNumber throws (a BigInt, a Symbol, a throwing valueOf,
 *       an object without a primitive, ...) as an `f64` (`now`) throws a
 *       TypeError or RangeError (no `code`) at the JS-to-wasm boundary;
 *       `authorize` too.
 *   B3: a proxy whose traps throw, or a revoked proxy, as createKey's input
 *       throws through wasm and leaves the Account locked for good.
 *   B4: a key record whose getters throw, given to `verify`, throws through
 *       wasm and leaks; a few hundred calls exhaust the module.
 */
const STR = new Set(["undefined", "null", "true", "zero", "minusOne", "NaN", "Infinity", "minusInfinity",
  "huge", "beyondDate", "array", "emptyObject", "nullProto", "boxedString", "func", "date", "cyclic",
  "deepArray", "deepObject", "throwingGetters", "throwingProxy", "revokedProxy", "symbol", "bigint",
  "throwingValueOf"]);
// Values whose ToNumber throws (no primitive, a throwing trap, too deep to join).
const NUM = new Set(["symbol", "bigint", "throwingValueOf", "nullProto", "deepArray", "throwingProxy",
  "revokedProxy"]);
const THROWING_OBJECTS = new Set(["throwingProxy", "revokedProxy", "throwingGetters"]);

// ---------------------------------------------------------------------------
// Helpers.

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || /unreachable|out of bounds|recursive use/.test(String(e?.message));
}

/** Runs `fn`; returns `{ value }` or `{ error }`, and fails on a wasm trap. */
function outcome(label, fn) {
  try {
    return { value: fn() };
  } catch (error) {
    assert.ok(!isTrap(error), `${label}: a wasm trap reached JS: ${error}`);
    return { error };
  }
}

/** Asserts that `fn` throws an ApiKeyError whose code is one of `codes`. */
function assertCode(label, fn, codes) {
  const r = outcome(label, fn);
  if (!("error" in r)) return r.value;
  const e = r.error;
  assert.ok(e instanceof Error, `${label}: throws a JS Error, got ${e}`);
  assert.equal(e.name, "ApiKeyError", `${label}: ${e}`);
  assert.ok(codes.includes(e.code), `${label}: code ${e.code}, expected one of ${codes}`);
  return undefined;
}

const DECISION_CODES = ["OK", "MISSING_CREDENTIALS", "UNSUPPORTED_SCHEME", "MALFORMED_CREDENTIALS",
  "UNKNOWN_KEY", "INVALID_SECRET", "READ_ONLY_KEY", "DAILY_LIMIT_EXCEEDED",
  "CONCURRENCY_LIMIT_EXCEEDED", "INVALID_METHOD", "INVALID_TIME",
  "STALE_KEY_RECORD"]; // authorizeVerified: the cached record has changed

function checkDecision(label, d) {
  assert.equal(typeof d, "object", label);
  assert.ok(DECISION_CODES.includes(d.code), `${label}: ${d.code}`);
  assert.equal(d.ok, d.code === "OK", label);
  assert.equal(d.ok, d.status === 200, label);
  assert.equal(d.status === 401, "WWW-Authenticate" in d.headers, label);
  return d;
}

// A long-lived account, created before any bad input and checked after each.
const shared = new Account({ hashProfile: TINY, dailyCalls: 100_000_000, maxConnections: 1000 });
const sharedKey = shared.createKey(admin, { name: "shared" }, T0);
const sharedHeader = encodeBasic(sharedKey.keyId, sharedKey.secret);
let clock = T0;

/** The module instance still works: old account, new account, free functions. */
function assertHealthy(after) {
  clock += 1;
  const d = shared.authorize(sharedHeader, "GET", clock);
  assert.equal(d.code, "OK", `after ${after}: the shared account admits its key`);
  assert.equal(shared.release(d.leaseId, clock), true, `after ${after}`);
  const wrong = encodeBasic(sharedKey.keyId, generateSecret());
  assert.equal(shared.authorize(wrong, "GET", clock).code, "INVALID_SECRET", `after ${after}`);
  const fresh = new Account({ hashProfile: TINY });
  const k = fresh.createKey(admin, { name: "fresh", readOnly: true }, clock);
  const h = encodeBasic(k.keyId, k.secret);
  assert.equal(fresh.authorize(h, "GET", clock).code, "OK", `after ${after}: a new account works`);
  assert.equal(fresh.authorize(h, "POST", clock).code, "READ_ONLY_KEY", `after ${after}`);
  assert.equal(verifySecret(k.secret, fresh.toJSON().keys[0].secretHash), true, `after ${after}`);
  assert.deepEqual({ ...parseBasic(h) }, { keyId: k.keyId, secret: k.secret }, `after ${after}`);
}

// ---------------------------------------------------------------------------
// Every function, every argument, every bad value.

/**
 * For each function: the good arguments, and per argument position the codes
 * it may throw (an empty list: it must not throw) and the kind of parameter
 * (`str` for a Rust `&str`, `num` for an `f64`, else any JS value).
 */
function cases() {
  const victim = new Account({ hashProfile: TINY });
  const key = victim.createKey(admin, { name: "victim" }, T0);
  const header = encodeBasic(key.keyId, key.secret);
  const phc = hashSecret(key.secret, TINY);
  const record = { keyId: key.keyId, secretHash: phc, access: "full" };
  const state = victim.toJSON();
  return [
    { name: "encodeBasic", fn: encodeBasic, args: ["user", "pass"],
      kinds: ["str", "str"], codes: [["INVALID_USER_ID"], ["INVALID_PASSWORD"]] },
    { name: "parseBasic", fn: parseBasic, args: [header], kinds: ["any"],
      codes: [["MISSING_CREDENTIALS", "UNSUPPORTED_SCHEME", "MALFORMED_CREDENTIALS"]] },
    { name: "isKeyId", fn: isKeyId, args: [key.keyId], kinds: ["any"], codes: [[]], bool: true },
    { name: "isSecret", fn: isSecret, args: [key.secret], kinds: ["any"], codes: [[]], bool: true },
    { name: "hashSecret", fn: hashSecret, args: [key.secret, TINY], kinds: ["str", "any"],
      codes: [["INVALID_INPUT"], ["INVALID_PROFILE"]] },
    { name: "verifySecret", fn: verifySecret, args: [key.secret, phc], kinds: ["str", "str"],
      codes: [["INVALID_INPUT"], ["MALFORMED_HASH"]] },
    { name: "needsRehash", fn: needsRehash, args: [phc, TINY], kinds: ["str", "any"],
      codes: [["MALFORMED_HASH"], ["INVALID_PROFILE"]] },
    { name: "verify", fn: verify, args: [header, "GET", record], kinds: ["any", "any", "record"],
      codes: [[], [], ["INVALID_STATE", "MALFORMED_HASH"]], decision: true },
    { name: "new Account", fn: (l) => new Account(l), args: [{ hashProfile: TINY }], kinds: ["any"],
      codes: [["INVALID_LIMITS"]] },
    { name: "Account.fromJSON", fn: (s) => Account.fromJSON(s), args: [state], kinds: ["any"],
      codes: [["INVALID_STATE"]] },
    { name: "createKey", fn: (a, i, n) => new Account({ hashProfile: TINY }).createKey(a, i, n),
      args: [admin, { name: "x" }, T0], kinds: ["any", "input", "num"],
      codes: [["NOT_ADMIN"], ["INVALID_INPUT", "INVALID_NAME", "INVALID_DESCRIPTION"], ["INVALID_TIME"]] },
    { name: "listKeys", fn: (a, n) => victim.listKeys(a, n), args: [admin, T0], kinds: ["any", "num"],
      codes: [["NOT_ADMIN"], ["INVALID_TIME"]] },
    { name: "resetSecret", fn: (a, id, n) => Account.fromJSON(state).resetSecret(a, id, n),
      args: [admin, key.keyId, T0], kinds: ["any", "any", "num"],
      codes: [["NOT_ADMIN"], ["UNKNOWN_KEY"], ["INVALID_TIME"]] },
    { name: "deleteKey", fn: (a, id, n) => Account.fromJSON(state).deleteKey(a, id, n),
      args: [admin, key.keyId, T0], kinds: ["any", "any", "num"],
      codes: [["NOT_ADMIN"], ["UNKNOWN_KEY"], ["INVALID_TIME"]] },
    { name: "authorize", fn: (h, m, n) => victim.authorize(h, m, n), args: [header, "GET", T0],
      kinds: ["any", "any", "num"], codes: [[], [], []], decision: true },
    { name: "release", fn: (l, n) => victim.release(l, n), args: ["lease-0", T0], kinds: ["any", "num"],
      codes: [[], ["INVALID_TIME"]] },
    { name: "updateKey", fn: (a, id, i, n) => Account.fromJSON(state).updateKey(a, id, i, n),
      args: [admin, key.keyId, { name: "y", readOnly: true }, T0], kinds: ["any", "any", "input", "num"],
      codes: [["NOT_ADMIN"], ["UNKNOWN_KEY"], ["INVALID_INPUT", "INVALID_NAME", "INVALID_DESCRIPTION"],
        ["INVALID_TIME"]] },
    { name: "usage", fn: (a, o, n) => victim.usage(a, o, n), args: [admin, { days: 7 }, T0],
      kinds: ["any", "any", "num"], codes: [["NOT_ADMIN"], ["INVALID_INPUT"], ["INVALID_TIME"]] },
    { name: "auditLog", fn: (a, n) => victim.auditLog(a, n), args: [admin, T0], kinds: ["any", "num"],
      codes: [["NOT_ADMIN"], ["INVALID_TIME"]] },
    { name: "release with options", fn: (l, n, o) => victim.release(l, n, o),
      args: ["lease-0", T0, { refund: true }], kinds: ["any", "num", "any"],
      codes: [[], ["INVALID_TIME"], ["INVALID_INPUT"]] },
    { name: "renew", fn: (l, n) => victim.renew(l, n), args: ["lease-0", T0], kinds: ["any", "num"],
      codes: [[], ["INVALID_TIME"]] },
    { name: "setLimits", fn: (a, l, n) => new Account().setLimits(a, l, n),
      args: [admin, { dailyCalls: 5 }, T0], kinds: ["any", "any", "num"],
      codes: [["NOT_ADMIN", "INVALID_INPUT"], ["INVALID_LIMITS"], ["INVALID_TIME"]] },
    { name: "keyRecord", fn: (id) => victim.keyRecord(id), args: [key.keyId], kinds: ["any"], codes: [[]] },
    { name: "authorizeVerified", fn: (id, v, m, n) => Account.fromJSON(state).authorizeVerified(id, v, m, n),
      args: [key.keyId, victim.keyRecord(key.keyId).version, "GET", T0], kinds: ["any", "any", "any", "num"],
      codes: [[], [], [], []], decision: true },
    { name: "errorInfo", fn: (c) => api.errorInfo(c), args: ["INVALID_SECRET"], kinds: ["any"], codes: [[]] },
  ];
}

test("every function, every argument, every kind of bad value: no trap, coded errors, module still works", () => {
  let tried = 0;
  for (const c of cases()) {
    // The good arguments work (so a bad one is what makes the difference).
    const ok = c.fn(...c.args);
    if (c.decision) assert.equal(ok.code, "OK", c.name);
    if (c.bool) assert.equal(ok, true, c.name);
    for (let i = 0; i < c.args.length; i++) {
      for (const [bad, make] of Object.entries(BAD)) {
        const args = [...c.args];
        args[i] = make();
        const label = `${c.name} with ${bad} as argument ${i + 1}`;
        const value = assertCode(label, () => c.fn(...args), c.codes[i]);
        if (c.decision && value !== undefined) checkDecision(label, value);
        if (c.bool && value !== undefined) assert.equal(typeof value, "boolean", label);
        tried++;
      }
    }
    assertHealthy(c.name);
  }
  assert.ok(tried > 500, `${tried} combinations`);
});

test("authorize never throws and answers every hostile header, method and time with a coded decision", () => {
  const account = new Account({ hashProfile: TINY, maxConnections: 1000 });
  const key = account.createKey(admin, { name: "k" }, T0);
  const good = encodeBasic(key.keyId, key.secret);
  const b64 = (s) => Buffer.from(s, "utf8").toString("base64");
  const headers = {
    good, null: null, undefined: undefined, number: 42, object: {}, array: [good],
    boxed: new String(good), megabyte: MB, megabyteGarbage: "x".repeat(1 << 20),
    loneSurrogate: "Basic \uD800", loneInCredentials: "Basic " + b64(key.keyId + ":\uDC00"),
    nul: "\u0000", nulInScheme: "Bas\u0000ic " + good.slice(6), nulInCredentials: "Basic " + b64(`${key.keyId}:\u0000${key.secret}`),
    secretWithNul: "Basic " + b64(`${key.keyId}:${key.secret}\u0000`), bearer: "Bearer " + key.secret,
    lowerScheme: "basic " + good.slice(6), tabs: "\tBasic\t" + good.slice(6) + "\t",
    unpadded: good.replace(/=+$/, ""), spaced: good.slice(0, 20) + " " + good.slice(20),
    upperId: "Basic " + b64(`${key.keyId.toUpperCase()}:${key.secret}`),
    unknownId: encodeBasic(generateKeyId(), key.secret), wrongSecret: encodeBasic(key.keyId, generateSecret()),
    emoji: "Basic 🔑", cyclic: cyclic(), throwingProxy: throwingProxy(), revokedProxy: revokedProxy(),
    symbol: Symbol("h"), bigint: 5n,
  };
  const methods = { GET: "GET", get: "get", POST: "POST", empty: "", spaced: "G E T", nul: "GET\u0000",
    long: "G".repeat(10_000), surrogate: "\uD800", number: 1, null: null, object: {}, symbol: Symbol("m"),
    proxy: throwingProxy() };
  const times = { T0, zero: 0, minusZero: -0, fraction: T0 + 0.75, minusOne: -1, NaN, Infinity,
    minusInfinity: -Infinity, huge: 1e308, maxDate: 8.64e15, beyondDate: 8.64e15 + 1, safe: 2 ** 53,
    string: String(T0), null: null, undefined, true: true, array: [], object: {}, date: new Date(T0) };
  const validTime = (n) => { const x = Number(n); return Number.isFinite(x) && x >= 0 && x <= 8.64e15; };
  let admitted = 0;
  for (const [hn, h] of Object.entries(headers)) {
    for (const [mn, m] of Object.entries(methods)) {
      for (const [tn, now] of Object.entries(times)) {
        const label = `authorize(${hn}, ${mn}, ${tn})`;
        let d;
        assert.doesNotThrow(() => { d = account.authorize(h, m, now); }, label);
        checkDecision(label, d);
        if (!validTime(now)) assert.equal(d.code, "INVALID_TIME", label);
        if (d.ok) {
          admitted++;
          assert.ok(["good", "lowerScheme", "tabs", "unpadded", "boxed"].includes(hn) || hn === "array", label);
          assert.equal(account.release(d.leaseId, validTime(now) ? Math.floor(Number(now)) : T0), true, label);
        }
      }
    }
  }
  assert.ok(admitted > 0, "the good header is admitted");
  assert.equal(account.authorize(good, "GET", T0).code, "OK");
  assert.equal(account.authorize(headers.wrongSecret, "GET", T0).code, "INVALID_SECRET");
  assert.equal(account.authorize(headers.unknownId, "GET", T0).code, "UNKNOWN_KEY");
  assertHealthy("the authorize matrix");
});

test("fromJSON refuses arrays, nulls, numbers, deep nesting, cycles, proxies and tampered records with INVALID_STATE", () => {
  const a = new Account({ hashProfile: TINY });
  a.createKey(admin, { name: "one" }, T0);
  const good = a.toJSON();
  const text = JSON.stringify(good);
  const tamper = (f) => { const s = structuredClone(good); f(s); return s; };
  const hostile = {
    array: [], arrayOfState: [good], null: null, undefined: undefined, number: 42, nan: NaN, string: "{",
    emptyString: "", deepArray: deepArray(), deepObject: deepObject(),
    deepText: "[".repeat(100_000) + "]".repeat(100_000), cyclic: cyclic(), throwingProxy: throwingProxy(),
    revokedProxy: revokedProxy(), throwingGetters: throwingGetters(), nullProto: Object.create(null),
    version3: tamper((s) => { s.version = 3; }),
    version1WithHistory: tamper((s) => { s.version = 1; }),
    history91Days: tamper((s) => { s.history.keys = [{ keyId: s.keys[0].keyId, calls: Array(91).fill(1) }]; }),
    historyOfUnknownKey: tamper((s) => { s.history.keys = [{ keyId: generateKeyId(), calls: [1] }]; }),
    audit201Events: tamper((s) => { s.audit = Array(201).fill(s.audit[0]); }),
    hashInAudit: tamper((s) => { s.audit[0].secretHash = s.keys[0].secretHash; }),
    longActorInAudit: tamper((s) => { s.audit[0].actor.id = "a".repeat(65); }),
    hugeMemory: tamper((s) => { s.keys[0].secretHash = s.keys[0].secretHash.replace("m=8,", "m=4294967295,"); }),
    hugeP: tamper((s) => { s.keys[0].secretHash = s.keys[0].secretHash.replace("p=1$", "p=1,p=863499995$"); }),
    secretAsHash: tamper((s) => { s.keys[0].secretHash = generateSecret(); }),
    negativeTime: tamper((s) => { s.keys[0].createdAt = -1; }),
    nanTime: tamper((s) => { s.keys[0].createdAt = NaN; }),
    fractionTime: tamper((s) => { s.keys[0].createdAt += 0.5; }),
    nextLeaseHuge: tamper((s) => { s.nextLease = 2 ** 60; }),
    unknownField: tamper((s) => { s.admin = true; }),
    duplicateKey: tamper((s) => { s.keys.push(s.keys[0]); }),
    nulInName: tamper((s) => { s.keys[0].name = "a\u0000b"; }),
    megabyteName: tamper((s) => { s.keys[0].name = "n".repeat(1 << 20); }),
  };
  for (const [name, v] of Object.entries(hostile)) {
    assertCode(`fromJSON(${name})`, () => Account.fromJSON(v), ["INVALID_STATE"]);
    assert.throws(() => Account.fromJSON(v), (e) => e.code === "INVALID_STATE", name);
  }
  // The untampered record, as an object and as text, is accepted.
  assert.equal(JSON.stringify(Account.fromJSON(good).toJSON()), text);
  assert.equal(JSON.stringify(Account.fromJSON(text).toJSON()), text);
  assertHealthy("hostile state records");
});

// ---------------------------------------------------------------------------
// Secret hygiene, as JS sees it.

/** Whether any 8-character window of `secret` occurs in `text`. */
function leaks(text, secret) {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

test("the leak check finds any 8-character window", () => {
  const s = generateSecret();
  assert.equal(leaks(`xx${s.slice(30, 38)}yy`, s), true);
  assert.equal(leaks(s.slice(0, 7), s), false);
});

test("no part of a secret in toJSON, listKeys, decisions or thrown messages", () => {
  const a = new Account({ hashProfile: TINY, dailyCalls: 3, maxConnections: 1 });
  const k1 = a.createKey(admin, { name: "full", description: "d" }, T0);
  const k2 = a.createKey(admin, { name: "reader", readOnly: true }, T0);
  const secrets = [k1.secret, k2.secret];
  const h1 = encodeBasic(k1.keyId, k1.secret);
  const h2 = encodeBasic(k2.keyId, k2.secret);
  const seen = [];
  const decide = (label, h, m, now) => {
    const d = a.authorize(h, m, now);
    seen.push([`decision ${label} ${d.code}`, JSON.stringify(d)]);
    return d;
  };
  const thrown = (label, fn) => {
    try { fn(); } catch (e) {
      seen.push([`error ${label} ${e.code}`, `${e.name} ${e.code} ${e.message} ${e.stack} ${JSON.stringify(e)}`]);
      return e.code;
    }
    return "no throw";
  };
  assert.equal(decide("ok", h1, "GET", T0).code, "OK");
  assert.equal(decide("concurrency", h1, "GET", T0).code, "CONCURRENCY_LIMIT_EXCEEDED");
  assert.equal(decide("read-only", h2, "DELETE", T0).code, "READ_ONLY_KEY");
  assert.equal(decide("swapped", encodeBasic(k1.keyId, k2.secret), "GET", T0).code, "INVALID_SECRET");
  assert.equal(decide("secret as id", encodeBasic(k2.secret, k1.secret), "GET", T0).code, "MALFORMED_CREDENTIALS");
  assert.equal(decide("bearer", `Bearer ${k1.secret}`, "GET", T0).code, "UNSUPPORTED_SCHEME");
  assert.equal(decide("secret as method", h2, k1.secret, T0).code, "INVALID_METHOD");
  assert.equal(decide("nan", h1, "GET", NaN).code, "INVALID_TIME");
  assert.equal(decide("ok 2", h2, "GET", T0 + 1).code, "OK");
  assert.equal(decide("ok 3", h2, "GET", T0 + 60_001).code, "OK");
  assert.equal(decide("quota", h2, "GET", T0 + 120_002).code, "DAILY_LIMIT_EXCEEDED");
  seen.push(["verify", JSON.stringify(verify(h1, "GET", { keyId: k1.keyId, secretHash: a.toJSON().keys[0].secretHash }))]);
  seen.push(["verify wrong", JSON.stringify(verify(h2, "GET", { keyId: k2.keyId, secretHash: a.toJSON().keys[0].secretHash }))]);

  const reset = a.resetSecret(admin, k1.keyId, T0 + 200_000);
  secrets.push(reset.secret);
  assert.notEqual(reset.secret, k1.secret);
  assert.equal(decide("old secret", h1, "GET", T0 + 86_400_000).code, "INVALID_SECRET");

  assert.equal(thrown("parseBasic", () => parseBasic(`Basic ${Buffer.from(k1.secret).toString("base64")}`)), "MALFORMED_CREDENTIALS");
  assert.equal(thrown("encodeBasic", () => encodeBasic(`${k1.secret}:`, k2.secret)), "INVALID_USER_ID");
  assert.equal(thrown("encodeBasic pw", () => encodeBasic(k1.keyId, `${k1.secret}\u0000`)), "INVALID_PASSWORD");
  assert.equal(thrown("verifySecret", () => verifySecret(k1.secret, k2.secret)), "MALFORMED_HASH");
  assert.equal(thrown("needsRehash", () => needsRehash(k1.secret)), "MALFORMED_HASH");
  assert.equal(thrown("hashSecret", () => hashSecret(k1.secret, k2.secret)), "INVALID_PROFILE");
  assert.equal(thrown("createKey name", () => a.createKey(admin, { name: k1.secret.repeat(3) }, T0)), "INVALID_NAME");
  assert.equal(thrown("createKey desc", () => a.createKey(admin, { name: "n", description: k1.secret.repeat(20) }, T0)), "INVALID_DESCRIPTION");
  assert.equal(thrown("resetSecret", () => a.resetSecret(admin, k1.secret, T0)), "UNKNOWN_KEY");
  assert.equal(thrown("updateKey name", () => a.updateKey(admin, k1.keyId, { name: k1.secret.repeat(3) }, T0)), "INVALID_NAME");
  assert.equal(thrown("updateKey id", () => a.updateKey(admin, k1.secret, {}, T0)), "UNKNOWN_KEY");
  assert.equal(thrown("deleteKey", () => a.deleteKey(admin, k2.secret, T0)), "UNKNOWN_KEY");
  assert.equal(thrown("fromJSON", () => Account.fromJSON({ ...a.toJSON(), secret: k1.secret })), "INVALID_STATE");
  assert.equal(thrown("fromJSON text", () => Account.fromJSON(k1.secret)), "INVALID_STATE");
  assert.equal(thrown("verify", () => verify(h1, "GET", { keyId: k1.keyId, secretHash: k1.secret })), "MALFORMED_HASH");
  assert.equal(thrown("user", () => a.listKeys({ role: k1.secret }, T0)), "NOT_ADMIN");

  const state = a.toJSON();
  seen.push(["toJSON", JSON.stringify(state)]);
  seen.push(["JSON.stringify(account)", JSON.stringify(a)]);
  seen.push(["listKeys", JSON.stringify(a.listKeys(admin, T0 + 200_001))]);
  seen.push(["usage", JSON.stringify(a.usage(admin, { days: 90 }, T0 + 200_001))]);
  seen.push(["auditLog", JSON.stringify(a.auditLog(admin, T0 + 200_001))]);
  seen.push(["restored", JSON.stringify(Account.fromJSON(JSON.stringify(state)).listKeys(admin, T0))]);
  assert.ok(seen.length > 25);
  for (const [what, text] of seen) {
    for (const s of secrets) assert.ok(!leaks(text, s), `part of a secret in ${what}: ${text.slice(0, 300)}`);
  }
  assert.ok(!JSON.stringify(state).includes("pfs_"), "no secret-shaped text in the state at all");
  // The state is complete without the secrets: restored, it admits the current one.
  const b = Account.fromJSON(state);
  assert.equal(b.authorize(encodeBasic(k1.keyId, reset.secret), "GET", T0 + 86_400_000).code, "OK");
  assertHealthy("the hygiene checks");
});

// ---------------------------------------------------------------------------
// Binding-layer bugs found here and fixed (SECURITY.md, "Findings"). Each
// asserts the behaviour the contract promises.

/** Runs `code` in a fresh Node process with the package imported as `api`. */
function isolated(code) {
  const script = `import * as api from ${JSON.stringify(pkgNode)};\n${code}`;
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
}

test("B1: a non-string where a string is expected is a coded error, not a wasm trap", () => {
  const out = isolated(`
    const bad = [12, {}, [], null, undefined, true, Symbol("s"), 10n];
    const calls = [(v) => api.hashSecret(v), (v) => api.verifySecret(v, "x"), (v) => api.verifySecret("x", v),
      (v) => api.needsRehash(v), (v) => api.encodeBasic(v, "p"), (v) => api.encodeBasic("u", v)];
    const results = [];
    for (const call of calls) for (const v of bad) {
      try { call(v); results.push("ok"); } catch (e) { results.push(e instanceof WebAssembly.RuntimeError ? "TRAP " + e.message : e.code ?? ("uncoded " + e.name)); }
    }
    console.log(JSON.stringify(results));`);
  const results = JSON.parse(out);
  assert.deepEqual(results.filter((r) => r.startsWith("TRAP") || r.startsWith("uncoded")), []);
});

test("B2: authorize never throws, even when ToNumber(now) throws", () => {
  const a = new Account({ hashProfile: TINY });
  for (const name of NUM) {
    const now = BAD[name]();
    let d;
    assert.doesNotThrow(() => { d = a.authorize(sharedHeader, "GET", now); }, name);
    assert.equal(d.code, "INVALID_TIME", name);
    assert.throws(() => a.listKeys(admin, now), (e) => e.code === "INVALID_TIME", name);
  }
});

test("B3: a throwing proxy as createKey's input does not lock the account", () => {
  for (const make of [throwingProxy, revokedProxy]) {
    const a = new Account({ hashProfile: TINY });
    assertCode("createKey(proxy)", () => a.createKey(admin, make(), T0), ["INVALID_INPUT"]);
    const k = a.createKey(admin, { name: "after" }, T0);
    assert.equal(a.authorize(encodeBasic(k.keyId, k.secret), "GET", T0).code, "OK");
  }
});

test("B4: key records whose getters throw do not exhaust the module", () => {
  const out = isolated(`
    const record = new Proxy({}, { get() { throw new Error("get"); }, ownKeys() { throw new Error("ownKeys"); } });
    const codes = new Set();
    for (let i = 0; i < 2000; i++) {
      try { api.verify("Basic x", "GET", record); codes.add("no throw"); } catch (e) { codes.add(e instanceof WebAssembly.RuntimeError ? "TRAP " + e.message : e.code ?? ("uncoded " + e.message)); }
    }
    const a = new api.Account();
    let after;
    try { a.createKey({ role: "admin" }, { name: "x" }, ${T0}); after = "ok"; } catch (e) { after = "broken: " + e.message; }
    console.log(JSON.stringify({ codes: [...codes], after }));`);
  const { codes, after } = JSON.parse(out);
  assert.equal(after, "ok", "the module still works");
  assert.deepEqual(codes, ["INVALID_STATE"]);
});
