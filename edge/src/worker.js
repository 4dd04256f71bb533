// The edge worker in front of the REST API. Every request to the API carries
// `Authorization: Basic base64(apiKeyId:apiKeySecret)`. The worker finds the
// key's account in the key directory, asks that account's Durable Object to
// authorize the call (secret, access, daily quota, concurrency), then either
// refuses it (401/403/429 with the decision's headers and a small JSON body)
// or forwards it to the upstream origin, adding the RateLimit headers. The
// call's lease is given back when the upstream response has been streamed to
// the client, or when it fails, or when the client goes away; the lease TTL
// (60 s) is the backstop if even that cannot run.
//
// Management endpoints under /_apikeys/ (create, list, reset, delete keys of
// an account) take the admin token from the worker's secrets, never an API key.
import { parseBasic, isKeyId, isSecret, verify } from "apikeys";
import { AccountObject, directoryOf } from "./account-object.js";
import { KeyDirectory } from "./key-directory.js";
import { json, refusal, error, managementStatus } from "./responses.js";

export { AccountObject, KeyDirectory };

/**
 * The worker's bindings (see wrangler.toml).
 * @typedef {object} Env
 * @property {DurableObjectNamespace<AccountObject>} ACCOUNTS one object per account
 * @property {DurableObjectNamespace<KeyDirectory>} KEY_DIRECTORY one object per key ID
 * @property {string} UPSTREAM_ORIGIN where admitted calls go, e.g. "https://api-origin.example.com"
 * @property {string} [ADMIN_TOKEN] secret: the bearer token of the management endpoints (32+ characters)
 * @property {string} [UPSTREAM_AUTH] secret: sent upstream as `X-Edge-Auth`, so the origin can trust the `X-Api-*` headers
 * @property {Fetcher} [ASSETS] the portal's static assets (served under /_apikeys/portal/)
 * @property {string} [LOG_REFUSALS] "true": log each refusal's status, code and key ID (never the secret)
 */

/** Path prefix of the management endpoints; everything else is the API. */
const MANAGEMENT_PREFIX = "/_apikeys/";
/** The portal, served from Workers Static Assets (wrangler.jsonc `assets`, binding ASSETS). */
const PORTAL_PREFIX = "/_apikeys/portal/";

/** Headers the worker sets on forwarded requests (a client's own are dropped). */
const FORWARDED = ["X-Api-Key-Id", "X-Api-Account-Id", "X-Api-Key-Access", "X-Edge-Auth"];

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_MANAGEMENT_BODY = 4096;

// Key ID -> account, as the directory answered, per isolate. Only positive
// answers are kept, and they never go stale: a key ID is generated for one
// account and never moves. A deleted or reset key is refused by its account's
// object, which every call still reaches, so this cache cannot let a revoked
// key through; it only saves the directory hop.
const accountOfKey = new Map();
const ACCOUNT_CACHE_MAX = 10_000;

/**
 * The account owning the presented key, or null when the header is not
 * well-formed Basic credentials of a key the directory knows.
 * @param {Env} env
 * @param {string | null} header
 * @returns {Promise<string | null>}
 */
async function accountFor(env, header) {
  let keyId;
  try {
    const credentials = parseBasic(header);
    if (!isKeyId(credentials.keyId) || !isSecret(credentials.secret)) return null;
    keyId = credentials.keyId;
  } catch {
    return null;
  }
  const cached = accountOfKey.get(keyId);
  if (cached !== undefined) return cached;
  const accountId = await directoryOf(env, keyId).lookup();
  if (accountId !== null) {
    if (accountOfKey.size >= ACCOUNT_CACHE_MAX) accountOfKey.delete(accountOfKey.keys().next().value);
    accountOfKey.set(keyId, accountId);
  }
  return accountId;
}

/**
 * @param {Env} env
 * @param {string} accountId
 */
function accountObject(env, accountId) {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
}

/**
 * @param {Env} env
 * @param {import("apikeys").Decision} decision
 */
function logRefusal(env, decision) {
  if (env.LOG_REFUSALS === "true") {
    console.log(JSON.stringify({ event: "refused", status: decision.status, code: decision.code, keyId: decision.keyId ?? null }));
  }
}

/**
 * An API call: authorize, then refuse or forward.
 * @param {Request} request
 * @param {Env} env
 * @param {ExecutionContext} ctx
 * @returns {Promise<Response>}
 */
async function handleApi(request, env, ctx) {
  const header = request.headers.get("Authorization");
  const method = request.method;
  const accountId = await accountFor(env, header);
  if (accountId === null) {
    // Missing, malformed or unknown: the package's stateless check gives the
    // same decision (and headers) as an account would.
    const decision = verify(header, method, null);
    logRefusal(env, decision);
    return refusal(decision);
  }
  const account = accountObject(env, accountId);
  const decision = await account.authorize(header, method);
  if (!decision.ok) {
    logRefusal(env, decision);
    return refusal(decision);
  }
  return forward(request, env, ctx, account, accountId, decision);
}

/**
 * Forwards an admitted call upstream and streams the answer back, adding the
 * decision's RateLimit headers. The lease is released exactly once: when the
 * body has been streamed (before the client sees its end), or on failure, or
 * when the client goes away.
 * @param {Request} request
 * @param {Env} env
 * @param {ExecutionContext} ctx
 * @param {DurableObjectStub<AccountObject>} account
 * @param {string} accountId
 * @param {import("apikeys").AccountDecision} decision
 * @returns {Promise<Response>}
 */
async function forward(request, env, ctx, account, accountId, decision) {
  let released = null;
  const release = () => {
    released ??= account.release(/** @type {string} */ (decision.leaseId)).catch(() => false);
    return released;
  };
  request.signal?.addEventListener("abort", () => ctx.waitUntil(release()));

  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  for (const name of FORWARDED) headers.delete(name);
  headers.set("X-Api-Key-Id", /** @type {string} */ (decision.keyId));
  headers.set("X-Api-Account-Id", accountId);
  headers.set("X-Api-Key-Access", /** @type {string} */ (decision.access));
  if (env.UPSTREAM_AUTH) headers.set("X-Edge-Auth", env.UPSTREAM_AUTH);

  // Only the path and query are the client's: `new URL("//other.host/x", origin)`
  // would change the host, so they are set on a copy of the origin instead.
  const target = new URL(env.UPSTREAM_ORIGIN);
  target.pathname = url.pathname;
  target.search = url.search;

  let upstream;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      signal: request.signal,
    });
  } catch {
    await release();
    return error(502, "UPSTREAM_UNAVAILABLE", "The upstream API could not be reached.", decision.headers);
  }

  const out = new Headers(upstream.headers);
  for (const [name, value] of Object.entries(decision.headers)) out.set(name, value);
  const init = { status: upstream.status, statusText: upstream.statusText, headers: out };
  if (upstream.body === null) {
    await release();
    return new Response(null, init);
  }
  // flush() runs when the upstream body has ended and before the client's
  // stream closes, so a client that has read a whole response finds its
  // slot free. A cancelled (client gone) or failed stream rejects pipeTo.
  const { readable, writable } = new TransformStream({ flush: () => release().then(() => {}) });
  ctx.waitUntil(upstream.body.pipeTo(writable).catch(() => release()));
  return new Response(readable, init);
}

/**
 * Constant-time comparison of a presented token with the configured one.
 * @param {string} presented
 * @param {string} expected
 */
async function sameToken(presented, expected) {
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(presented)),
    crypto.subtle.digest("SHA-256", enc.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

const ADMIN_CHALLENGE = { "WWW-Authenticate": 'Bearer realm="apikeys-admin"' };

/**
 * The management endpoints:
 *   POST   /_apikeys/accounts/{accountId}/keys                 create  -> 201 { keyId, secret, ... }
 *   GET    /_apikeys/accounts/{accountId}/keys                 list    -> 200 { callsToday, remainingToday, keys, ... }
 *   POST   /_apikeys/accounts/{accountId}/keys/{keyId}/reset   reset   -> 200 { keyId, secret }
 *   DELETE /_apikeys/accounts/{accountId}/keys/{keyId}         delete  -> 204
 * authenticated by `Authorization: Bearer <ADMIN_TOKEN>`.
 * @param {Request} request
 * @param {Env} env
 * @param {URL} url
 * @returns {Promise<Response>}
 */
async function handleManagement(request, env, url) {
  const configured = env.ADMIN_TOKEN ?? "";
  if (configured.length < 32) {
    return error(503, "ADMIN_NOT_CONFIGURED", "Management is disabled: set the ADMIN_TOKEN secret (32+ characters).");
  }
  const auth = request.headers.get("Authorization") ?? "";
  const bearer = /^Bearer +(\S+) *$/i.exec(auth);
  if (!bearer || !(await sameToken(bearer[1], configured))) {
    return error(401, "INVALID_ADMIN_CREDENTIALS", "Management needs the admin token: Authorization: Bearer <token>.", ADMIN_CHALLENGE);
  }

  const route = /^\/_apikeys\/accounts\/([^/]+)\/keys(?:\/([^/]+)(\/reset)?)?\/?$/.exec(url.pathname);
  if (!route) return error(404, "NOT_FOUND", "No such management endpoint.");
  const [, accountId, keyId, reset] = route;
  if (!ACCOUNT_ID.test(accountId)) return error(400, "INVALID_ACCOUNT_ID", "Account IDs are 1-64 characters of A-Z a-z 0-9 _ -.");
  if (keyId !== undefined && !isKeyId(keyId)) return error(404, "UNKNOWN_KEY", "No such API key.");
  const account = accountObject(env, accountId);
  const method = request.method;

  /** @param {{ ok: boolean, code?: string, message?: string, value?: unknown }} result @param {number} status */
  const answer = (result, status) =>
    result.ok ? json(status, result.value) : error(managementStatus(result.code), result.code, result.message);

  if (keyId === undefined && method === "GET") return answer(await account.listKeys(), 200);
  if (keyId === undefined && method === "POST") {
    if (Number(request.headers.get("Content-Length") ?? 0) > MAX_MANAGEMENT_BODY) {
      return error(413, "INVALID_INPUT", "The request body is too large.");
    }
    let input;
    try {
      const text = await request.text();
      if (text.length > MAX_MANAGEMENT_BODY) throw new Error("too large");
      input = JSON.parse(text);
    } catch {
      return error(400, "INVALID_INPUT", "Send a JSON object { name, description?, readOnly? }.");
    }
    return answer(await account.createKey(accountId, input), 201);
  }
  if (keyId !== undefined && reset && method === "POST") return answer(await account.resetSecret(keyId), 200);
  if (keyId !== undefined && !reset && method === "DELETE") return answer(await account.deleteKey(accountId, keyId), 204);
  return error(405, "METHOD_NOT_ALLOWED", "Method not allowed on this endpoint.");
}

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   * @param {ExecutionContext} ctx
   * @returns {Promise<Response>}
   */
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    try {
      if (url.pathname.startsWith(PORTAL_PREFIX) || url.pathname === PORTAL_PREFIX.slice(0, -1)) {
        if (env.ASSETS) return await env.ASSETS.fetch(request);
        return error(404, "NOT_FOUND", "The portal is not deployed with this worker.");
      }
      if (url.pathname.startsWith(MANAGEMENT_PREFIX)) return await handleManagement(request, env, url);
      if (!env.UPSTREAM_ORIGIN) return error(500, "UPSTREAM_NOT_CONFIGURED", "UPSTREAM_ORIGIN is not set.");
      return await handleApi(request, env, ctx);
    } catch (e) {
      console.error("edge error:", e instanceof Error ? e.message : String(e));
      return error(500, "INTERNAL_ERROR", "The request could not be handled.");
    }
  },
};
