// Test harness: a stub upstream origin (node http on 127.0.0.1), the edge
// worker in real workerd through Miniflare (two worker scripts sharing the
// Durable Objects, each on its own loopback socket), and small clients.
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { mintToken } from "../src/admin-auth.js";
import { Miniflare } from "miniflare";
import { Agent, fetch } from "undici";
import { encodeBasic } from "apikeys";
import { buildWorker } from "../scripts/build.mjs";

/** A fresh operator token per run (never printed). */
export const ADMIN_TOKEN = randomBytes(32).toString("base64url");
/** A fresh HS256 key for account admin tokens per run (never printed). */
export const ADMIN_JWT_SECRET = randomBytes(32).toString("base64url");

/**
 * Parses JSON with comments (wrangler.jsonc): drops line and block comments
 * outside strings, and trailing commas.
 * @param {string} text
 */
export function parseJsonc(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else {
      out += c;
    }
  }
  return JSON.parse(out.replace(/,(\s*[\]}])/g, "$1"));
}

/** The deployment's configuration: the tests run the worker with it. */
export const wrangler = parseJsonc(readFileSync(new URL("../wrangler.jsonc", import.meta.url), "utf8"));
export const COMPATIBILITY_DATE = wrangler.compatibility_date;
export const COMPATIBILITY_FLAGS = wrangler.compatibility_flags ?? [];

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The stub upstream origin. Every request is answered with a JSON echo of
 * what the edge forwarded, except `/hold/<name>`, which sends its headers and
 * a first chunk, then stays open until `finish(name)`, `/stream/<name>`,
 * which does the same but also sends a line every 50 ms meanwhile, and
 * `/silent/<name>`, which sends nothing (not even headers) until `finish(name)`.
 */
export async function startOrigin() {
  /** @type {Array<{ method: string, path: string, headers: Record<string, string | string[] | undefined> }>} */
  const hits = [];
  /** @type {Map<string, { end: () => void }>} */
  const held = new Map();
  /** @type {Map<string, number>} in-flight requests per key ID, and the most seen */
  const inFlight = new Map();
  const maxInFlight = new Map();
  /** @type {string[]} names of held requests whose connection closed before finish */
  const aborted = [];
  const waiters = new Set();

  const server = createServer((req, res) => {
    const keyId = String(req.headers["x-api-key-id"] ?? "");
    hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
    inFlight.set(keyId, (inFlight.get(keyId) ?? 0) + 1);
    maxInFlight.set(keyId, Math.max(maxInFlight.get(keyId) ?? 0, inFlight.get(keyId)));
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      inFlight.set(keyId, inFlight.get(keyId) - 1);
    };
    res.on("finish", finished);
    res.on("close", finished);
    const silent = /^\/silent\/([\w-]+)/.exec(req.url ?? "");
    if (silent) {
      // /silent/ sends nothing at all, not even headers, until finish(name).
      const name = silent[1];
      res.on("close", () => {
        if (!res.writableEnded) aborted.push(name);
        held.delete(name);
      });
      held.set(name, { end: () => res.writeHead(200, { "Content-Type": "text/plain" }).end(`late ${name}\n`) });
      for (const w of waiters) w();
      return;
    }
    const hold = /^\/(hold|stream)\/([\w-]+)/.exec(req.url ?? "");
    if (hold) {
      const [, kind, name] = hold;
      res.writeHead(200, { "Content-Type": "text/plain", "X-Origin": "stub" });
      res.write(`start ${name}\n`);
      // /stream/ sends a line every 50 ms while held, like a long export.
      const ticker = kind === "stream" ? setInterval(() => res.write("tick\n"), 50) : null;
      res.on("close", () => {
        if (ticker) clearInterval(ticker);
        if (!res.writableEnded) aborted.push(name);
        held.delete(name);
      });
      held.set(name, {
        end: () => {
          if (ticker) clearInterval(ticker);
          res.end(`end ${name}\n`);
        },
      });
      for (const w of waiters) w();
      return;
    }
    req.resume();
    req.on("end", () => {
      const body = JSON.stringify({
        method: req.method,
        path: req.url,
        keyId: req.headers["x-api-key-id"] ?? null,
        accountId: req.headers["x-api-account-id"] ?? null,
        access: req.headers["x-api-key-access"] ?? null,
        authorization: req.headers.authorization ?? null,
      });
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(body),
        "X-Origin": "stub",
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());

  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    held,
    aborted,
    maxInFlight,
    /** Resolves once `n` held requests are open at the origin. */
    async waitHeld(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (held.size < n) {
        if (Date.now() > deadline) throw new Error(`only ${held.size} of ${n} requests reached the origin`);
        await new Promise((r) => {
          waiters.add(r);
          setTimeout(r, 50);
        });
      }
    },
    /** Ends a held response. */
    finish(name) {
      const h = held.get(name);
      if (!h) throw new Error(`no held request ${name}`);
      h.end();
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r(undefined)));
    },
  };
}

/**
 * A fresh folder for Durable Object storage. workerd's SQLite storage syncs
 * every commit to disk, and on a busy shared disk each sync can take several
 * milliseconds, on every admitted call (count) and every release. Tests that
 * are not about restarts keep it on tmpfs (/dev/shm) where there is one:
 * the same storage engine, the same transactions and output gates, minus the
 * disk. `kind: "disk"` puts it under the OS temp folder.
 * @param {"tmpfs" | "disk"} [kind]
 * @returns {string}
 */
export function storageFolder(kind = "tmpfs") {
  const parent = kind === "tmpfs" && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return mkdtempSync(join(parent, "apikeys-edge-"));
}

/** The test build: the worker plus the fault plan, with the fault points on (src/faults.js). */
let testBuild = null;
function buildTestWorker() {
  testBuild ??= buildWorker({
    entry: "test/fixtures/test-worker.js",
    outdir: "dist-test",
    define: { __APIKEYS_TEST_BUILD__: "true" },
  });
  return testBuild;
}

/** The production build (what `wrangler deploy` bundles): no fault points, no FAULTS. */
let productionBuild = null;
function buildProductionWorker() {
  productionBuild ??= buildWorker({ entry: wrangler.main, outdir: "dist" });
  return productionBuild;
}

/**
 * Starts the edge worker in workerd: worker "edge" defines the Durable
 * Objects, worker "edge-b" (same code) binds to them by script name, like
 * a second deployment or another isolate of the same one. Without `persist`,
 * storage lives in a fresh tmpfs folder that `dispose` removes; with it, the
 * folder is the caller's, kept across restarts. `vars` override the vars of
 * wrangler.jsonc (e.g. a short DIRECTORY_RETRY_MS). `production: true` runs
 * the production build instead of the test build (the benchmark does).
 * @param {{ origin: string, persist?: string, logRefusals?: boolean, vars?: Record<string, string>, production?: boolean }} options
 */
export async function startEdge({ origin, persist, logRefusals = false, vars = {}, production = false }) {
  const scratch = persist === undefined ? storageFolder("tmpfs") : null;
  const built = await (production ? buildProductionWorker() : buildTestWorker());
  const common = {
    modules: built.modules,
    modulesRoot: built.modulesRoot,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    // vars from wrangler.jsonc, the stub origin, and the secrets as `wrangler secret put` would bind them
    bindings: {
      ...wrangler.vars,
      UPSTREAM_ORIGIN: origin,
      ADMIN_TOKEN,
      ADMIN_JWT_SECRET,
      LOG_REFUSALS: String(logRefusals),
      ...vars,
    },
    // The ratelimits of wrangler.jsonc, as Miniflare takes them.
    ratelimits: Object.fromEntries((wrangler.ratelimits ?? []).map((r) => [r.name, { simple: r.simple }])),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const sqliteClasses = new Set(wrangler.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  /** The Durable Object bindings of wrangler.jsonc, plus the test-only FAULTS; `scriptName` binds to another worker's classes. */
  const durableObjects = (scriptName) =>
    Object.fromEntries(
      [...wrangler.durable_objects.bindings, ...(production ? [] : [{ name: "FAULTS", class_name: "FaultPlan" }])].map((b) => [
        b.name,
        { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name), ...(scriptName ? { scriptName } : {}) },
      ]),
    );
  const mf = new Miniflare({
    host: "127.0.0.1",
    durableObjectsPersist: persist ?? scratch,
    workers: [
      { ...common, name: "edge", durableObjects: durableObjects() },
      { ...common, name: "edge-b", durableObjects: durableObjects("edge") },
    ],
  });
  await mf.ready;
  const a = (await mf.unsafeGetDirectURL("edge")).origin;
  const b = (await mf.unsafeGetDirectURL("edge-b")).origin;
  /**
   * Calls a method of a Durable Object of the edge from Node (RPC through
   * Miniflare) and returns the result as plain data; the stubs are disposed.
   */
  const namespaces = new Map();
  const rpc = async (binding, name, method, ...args) => {
    if (!namespaces.has(binding)) namespaces.set(binding, mf.getDurableObjectNamespace(binding, "edge"));
    const ns = await namespaces.get(binding);
    const stub = ns.get(ns.idFromName(name));
    try {
      const result = await stub[method](...args);
      if (result === null || typeof result !== "object") return result;
      const plain = JSON.parse(JSON.stringify(result));
      result[Symbol.dispose]?.();
      return plain;
    } finally {
      stub[Symbol.dispose]?.();
    }
  };
  /** The methods `methods` of one object, as async functions. */
  const object = (binding, name, methods) =>
    Object.fromEntries(methods.map((m) => [m, (...args) => rpc(binding, name, m, ...args)]));
  const dispose = async () => {
    await mf.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  return {
    mf,
    urls: { a, b },
    client: new Client(a),
    clientB: new Client(b),
    /** The fault plan: `arm(point, times)`, `clear()`, `log()` (src/faults.js lists the points). */
    faults: async () => object("FAULTS", "plan", ["arm", "clear", "log", "counts"]),
    /** The key directory object of a key ID: `lookup()` (its entry, or null), `stats()`, `register(accountId, record)`. */
    directory: async (keyId) => {
      const methods = object("KEY_DIRECTORY", keyId, ["lookup", "stats", "register"]);
      return {
        lookup: () => methods.lookup(keyId),
        stats: methods.stats,
        register: (accountId, record) => methods.register(keyId, accountId, record),
      };
    },
    /** Directory lookups so far, by key ID (counted by the test build in the plan). */
    lookups: async () => rpc("FAULTS", "plan", "counts", "lookup"),
    /** An account's object: `stats()`. */
    accountObject: async (accountId) => object("ACCOUNTS", accountId, ["stats"]),
    dispose,
  };
}

/**
 * The HTTP client of the tests. workerd closes a keep-alive connection after
 * 5 s idle; undici's default is to keep it 4 s, which a busy machine's late
 * timers can stretch past 5 s, and a request sent on a connection the server
 * is closing fails with "other side closed". Idle connections are therefore
 * dropped after 1 s on this side.
 */
export const dispatcher = new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000, connections: 512 });

/**
 * fetch through the tests' dispatcher. A request sent on a kept-alive
 * connection that workerd had just closed fails with "other side closed"
 * before workerd read it (seen after a long pause on a loaded machine):
 * it is sent once more, on a new connection. Bodies here are strings, so
 * the retry sends the same request.
 * @param {string} url
 * @param {import("undici").RequestInit} [init]
 */
export async function get(url, init = {}) {
  try {
    return await fetch(url, { ...init, dispatcher });
  } catch (e) {
    const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (e).cause;
    if (cause?.code !== "UND_ERR_SOCKET" || cause.message !== "other side closed" || init.signal?.aborted) throw e;
    return fetch(url, { ...init, dispatcher });
  }
}

/** A client of one worker: API calls with a key, management calls with the admin token. */
export class Client {
  /**
   * @param {string} base
   * @param {string} [ip] sent as CF-Connecting-IP, as Cloudflare would
   */
  constructor(base, ip) {
    this.base = base;
    this.ip = ip;
  }

  /** The same worker, seen from another client IP. */
  from(ip) {
    return new Client(this.base, ip);
  }

  /**
   * An API call with Basic credentials (`key` = { keyId, secret }) or a raw header.
   * @param {string} path
   * @param {{ key?: { keyId: string, secret: string }, authorization?: string, method?: string, body?: string, signal?: AbortSignal, ip?: string }} [opts]
   */
  api(path, { key, authorization, method = "GET", body, signal, ip = this.ip } = {}) {
    const headers = {};
    if (key) headers.Authorization = encodeBasic(key.keyId, key.secret);
    if (authorization !== undefined) headers.Authorization = authorization;
    if (ip !== undefined) headers["CF-Connecting-IP"] = ip;
    return get(this.base + path, { method, headers, body, signal });
  }

  /**
   * A management call; returns status, headers and the parsed JSON body.
   * @param {string} method
   * @param {string} path under /_apikeys/
   * @param {unknown} [body]
   * @param {string | null} [authorization] defaults to the admin token
   */
  async admin(method, path, body, authorization = `Bearer ${ADMIN_TOKEN}`) {
    const headers = { "Content-Type": "application/json" };
    if (authorization !== null) headers.Authorization = authorization;
    if (this.ip !== undefined) headers["CF-Connecting-IP"] = this.ip;
    const res = await get(`${this.base}/_apikeys/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  /**
   * Creates an account (operator); asserts success. Returns its ID.
   * @param {string} accountId
   * @param {Record<string, unknown>} [limits]
   */
  async createAccount(accountId, limits) {
    const r = await this.admin("PUT", `accounts/${accountId}`, limits === undefined ? {} : { limits });
    if (r.status !== 201) throw new Error(`createAccount: ${r.status} ${JSON.stringify(r.body)}`);
    return accountId;
  }

  /**
   * A new account with a unique ID (operator).
   * @param {string} label
   * @param {Record<string, unknown>} [limits]
   */
  newAccount(label, limits) {
    return this.createAccount(newAccountId(label), limits);
  }

  /**
   * Creates a key; asserts success.
   * @param {string} accountId
   * @param {{ name: string, description?: string, readOnly?: boolean }} input
   * @returns {Promise<import("apikeys").CreatedKey>}
   */
  async createKey(accountId, input) {
    const r = await this.admin("POST", `accounts/${accountId}/keys`, input);
    if (r.status !== 201) throw new Error(`createKey: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /**
   * @param {string} accountId
   * @returns {Promise<import("apikeys").KeyList>}
   */
  async listKeys(accountId) {
    const r = await this.admin("GET", `accounts/${accountId}/keys`);
    if (r.status !== 200) throw new Error(`listKeys: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/** A unique account ID for one test. */
export const newAccountId = (label) => `${label}-${randomBytes(6).toString("hex")}`;

/**
 * An account admin token signed with the run's ADMIN_JWT_SECRET.
 * @param {{ account: string, sub?: string, role?: "admin" | "user", ttlSeconds?: number }} claims
 */
export async function accountToken({ account, sub = "alice@example.com", role = "admin", ttlSeconds = 600 }) {
  return (await mintToken(ADMIN_JWT_SECRET, { account, sub, role, ttlSeconds }, Date.now())).token;
}
