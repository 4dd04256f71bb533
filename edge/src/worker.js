// The edge worker in front of the REST API. Every request to the API carries
// `Authorization: Basic base64(apiKeyId:apiKeySecret)`. The worker finds the
// key's record through the key directory (cached per isolate, key-cache.js),
// verifies the secret itself, and asks the account's Durable Object to
// decide the rest of a verified call (version, access, concurrency, quota);
// then it either refuses the call (401/403/429 with the decision's headers
// and a small JSON body) or forwards it to the upstream origin (proxy.js).
// Management under /_apikeys/ is in management.js. This file routes and maps
// HTTP; the objects own the state.
import { isKeyId, isSecret, parseBasic, verify } from "apikeys";
import { AccountObject, directoryOf } from "./account-object.js";
import { KeyCache } from "./key-cache.js";
import { KeyDirectory } from "./key-directory.js";
import { handleManagement } from "./management.js";
import { forward } from "./proxy.js";
import { blockedFor, clientIp, countFailure } from "./rate-limit.js";
import { error, refusal, tooManyFailures } from "./responses.js";

export { AccountObject, KeyDirectory };

/**
 * The worker's bindings (see wrangler.jsonc).
 * @typedef {object} Env
 * @property {DurableObjectNamespace<AccountObject>} ACCOUNTS one object per account
 * @property {DurableObjectNamespace<KeyDirectory>} KEY_DIRECTORY one object per key ID
 * @property {RateLimit} [FAILED_AUTH_LIMITER] failed authentications per client IP
 * @property {string} UPSTREAM_ORIGIN where admitted calls go, e.g. "https://api-origin.example.com"
 * @property {string} [UPSTREAM_TIMEOUT_MS] how long to wait for the upstream's response headers (default 30000)
 * @property {string} [DIRECTORY_RETRY_MS] period of the alarm that retries failed directory updates (default 10000)
 * @property {string} [FAILED_AUTH_PERIOD_SECONDS] the limiter's period (10 or 60), for Retry-After
 * @property {string} [ADMIN_TOKEN] secret: the operator's bearer token (32+ characters)
 * @property {string} [ADMIN_JWT_SECRET] secret: HS256 key of account admin tokens (32+ characters)
 * @property {string} [UPSTREAM_AUTH] secret: sent upstream as `X-Edge-Auth`, so the origin can trust the `X-Api-*` headers
 * @property {Fetcher} [ASSETS] the portal's static assets (served under /_apikeys/portal/)
 * @property {string} [LOG_REFUSALS] "true": log each refusal's status, code and key ID (never the secret)
 * @property {DurableObjectNamespace} [FAULTS] test build only: the fault plan (faults.js)
 */

/** Path prefix of the management endpoints; everything else is the API. */
const MANAGEMENT_PREFIX = "/_apikeys/";
/** The portal, served from Workers Static Assets (wrangler.jsonc `assets`, binding ASSETS). */
const PORTAL_PREFIX = "/_apikeys/portal/";

/** Key ID -> directory entry, per isolate. */
const keys = new KeyCache();

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
 * The key ID of well-formed Basic credentials (ID and secret formats and the
 * secret's checksum), or null.
 * @param {string | null} header
 */
function presentedKeyId(header) {
  try {
    const credentials = parseBasic(header);
    return isKeyId(credentials.keyId) && isSecret(credentials.secret) ? credentials.keyId : null;
  } catch {
    return null;
  }
}

/**
 * An API call: authorize, then refuse or forward. Refused before any work
 * when the client's IP is blocked; refused in the worker when the header is
 * malformed, the key unknown (negative cache) or the secret wrong (verified
 * here against the cached key record). Only a call whose secret the worker
 * has verified reaches the account object.
 * @param {Request} request
 * @param {Env} env
 * @param {ExecutionContext} ctx
 * @returns {Promise<Response>}
 */
async function handleApi(request, env, ctx) {
  const ip = clientIp(request);
  const waited = blockedFor(ip, Date.now());
  if (waited > 0) return tooManyFailures(waited);

  const header = request.headers.get("Authorization");
  const method = request.method;
  const keyId = presentedKeyId(header);
  const lookup = (/** @type {string} */ id) => directoryOf(env, id).lookup(id);
  let entry = keyId === null ? null : await keys.get(lookup, keyId, Date.now());
  if (keyId === null || entry === null) {
    // Missing, malformed or unknown: the package's stateless check gives the
    // same decision (and headers) as an account would.
    return refuse(env, ip, verify(header, method, null));
  }
  if (entry.record === null) {
    // An entry written before the directory held records: the account object
    // checks the whole header, and publishes the record.
    const account = accountStub(env, entry.accountId);
    const decision = await account.authorize(entry.accountId, header, method, { publish: true });
    if (decision.code === "UNKNOWN_KEY") keys.forget(keyId);
    if (!decision.ok) return refuse(env, ip, decision);
    return forward(request, env, ctx, { account, accountId: entry.accountId, decision });
  }

  // At most one refresh of the record per call: after a failed secret (at
  // most once a second per key) or after STALE_KEY_RECORD.
  let refreshed = false;
  for (;;) {
    const local = verify(header, method, publicRecord(entry.record));
    if (local.code === "INVALID_SECRET" && !refreshed && keys.claimRefresh(keyId, Date.now())) {
      refreshed = true;
      entry = await keys.refresh(lookup, keyId, Date.now());
      if (entry === null || entry.record === null) return refuse(env, ip, verify(header, method, null));
      continue;
    }
    if (local.code !== "OK" && local.code !== "READ_ONLY_KEY") return refuse(env, ip, local);

    // The secret is right for this record. The account object decides the
    // rest: version, access by method (with RateLimit headers), concurrency,
    // quota. A record that needs a rehash sends the whole header instead, so
    // the account object can migrate the hash.
    const account = accountStub(env, entry.accountId);
    const decision = entry.record.rehash
      ? await account.authorize(entry.accountId, header, method)
      : await account.authorizeVerified(entry.accountId, keyId, entry.record.version, method);
    if (decision.code === "STALE_KEY_RECORD" && !refreshed) {
      refreshed = true;
      entry = await keys.refresh(lookup, keyId, Date.now());
      if (entry === null || entry.record === null) return refuse(env, ip, verify(header, method, null));
      continue;
    }
    if (decision.code === "UNKNOWN_KEY") keys.forget(keyId);
    // A full authorize answers with the record as it is now (a migrated hash).
    if (decision.record) keys.put(keyId, { keyId, accountId: entry.accountId, record: decision.record }, Date.now());
    if (decision.code === "STALE_KEY_RECORD") {
      // Still stale after a refresh: the directory is being repaired (a
      // failed reset's rollback). The key cannot be confirmed now: a 401.
      return refuse(env, ip, { ...verify(header, method, null), code: "STALE_KEY_RECORD" });
    }
    if (!decision.ok) return refuse(env, ip, decision);
    return forward(request, env, ctx, { account, accountId: entry.accountId, decision });
  }
}

/**
 * What `verify` takes of a directory record.
 * @param {import("./key-directory.js").KeyRecord} record
 */
function publicRecord(record) {
  return { keyId: record.keyId, secretHash: record.secretHash, access: record.access };
}

/**
 * @param {Env} env
 * @param {string} accountId
 */
function accountStub(env, accountId) {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
}

/**
 * The response to a refused API call. A failed authentication (a 401 other
 * than "no credentials at all") counts against the client's IP.
 * @param {Env} env
 * @param {string} ip
 * @param {import("apikeys").Decision} decision
 */
async function refuse(env, ip, decision) {
  logRefusal(env, decision);
  if (decision.status === 401 && decision.code !== "MISSING_CREDENTIALS") {
    const blocked = await countFailure(env, ip, Date.now());
    if (blocked > 0) return tooManyFailures(blocked);
  }
  return refusal(decision);
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
      if (!env.UPSTREAM_ORIGIN) return error("UPSTREAM_NOT_CONFIGURED");
      return await handleApi(request, env, ctx);
    } catch (e) {
      console.error("edge error:", e instanceof Error ? e.message : String(e));
      return error("INTERNAL_ERROR");
    }
  },
};
