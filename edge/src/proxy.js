// Forwarding an admitted call to the upstream origin, and the life of its
// lease: renewed while the call runs, released exactly once when it ends.
import { error } from "./responses.js";

/** Headers the worker sets on forwarded requests (a client's own are dropped). */
const FORWARDED = ["X-Api-Key-Id", "X-Api-Account-Id", "X-Api-Key-Access", "X-Edge-Auth"];

/** Default of UPSTREAM_TIMEOUT_MS: how long to wait for the upstream's response headers. */
const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** Renewals per lease TTL while a call runs. */
const RENEWALS_PER_TTL = 4;

/**
 * @param {import("./worker.js").Env} env
 */
function upstreamTimeoutMs(env) {
  const ms = Number(env.UPSTREAM_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_UPSTREAM_TIMEOUT_MS;
}

/**
 * The lease of one admitted call. `renew` runs a few times per TTL while
 * the call is alive, so a long download keeps its slot; `release` runs
 * once (later calls return the first one's promise) and stops the renewals.
 * With `refund`, the call's quota unit and Call Count are given back too.
 */
class Lease {
  /**
   * @param {DurableObjectStub<import("./account-object.js").AccountObject>} account
   * @param {string} leaseId
   * @param {number} ttlMs
   */
  constructor(account, leaseId, ttlMs) {
    this.account = account;
    this.leaseId = leaseId;
    /** @type {Promise<boolean> | null} */
    this.released = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = setInterval(() => this.renew(), Math.max(50, Math.floor(ttlMs / RENEWALS_PER_TTL)));
  }

  renew() {
    if (this.released) return;
    this.account.renew(this.leaseId).then(
      (live) => live || this.stop(), // gone (expired, or released elsewhere): nothing left to renew
      () => {}, // a failed renewal is retried at the next tick; the TTL is the backstop
    );
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** @param {{ refund?: boolean }} [options] */
  release(options) {
    this.stop();
    this.released ??= this.account.release(this.leaseId, options?.refund ? { refund: true } : undefined).catch(() => false);
    return this.released;
  }
}

/**
 * Forwards an admitted call upstream and streams the answer back, adding the
 * decision's RateLimit headers. The lease is renewed while the call runs and
 * released exactly once: when the body has been streamed (before the client
 * sees its end), or when the upstream fails or times out (with a refund: the
 * call was not delivered), or when the client goes away.
 * @param {Request} request
 * @param {import("./worker.js").Env} env
 * @param {ExecutionContext} ctx
 * @param {{ account: DurableObjectStub<import("./account-object.js").AccountObject>, accountId: string,
 *   decision: import("apikeys").AccountDecision & { leaseTtlMs?: number } }} admitted
 * @returns {Promise<Response>}
 */
export async function forward(request, env, ctx, { account, accountId, decision }) {
  const lease = new Lease(account, /** @type {string} */ (decision.leaseId), decision.leaseTtlMs ?? 60_000);

  // One signal for the upstream request: the client going away, or the
  // header timeout. After the headers, only the client can abort.
  const upstreamAbort = new AbortController();
  let clientGone = false;
  let timedOut = false;
  request.signal?.addEventListener("abort", () => {
    clientGone = true;
    upstreamAbort.abort();
    ctx.waitUntil(lease.release());
  });

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

  const timer = setTimeout(() => {
    timedOut = true;
    upstreamAbort.abort();
  }, upstreamTimeoutMs(env));
  let upstream;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      signal: upstreamAbort.signal,
    });
  } catch {
    // Not delivered: the quota unit and the Call Count are given back, unless
    // the client itself went away.
    await lease.release({ refund: !clientGone });
    if (timedOut) return error("UPSTREAM_TIMEOUT", { headers: decision.headers });
    return error("UPSTREAM_UNAVAILABLE", { headers: decision.headers });
  } finally {
    clearTimeout(timer);
  }

  const out = new Headers(upstream.headers);
  for (const [name, value] of Object.entries(decision.headers)) out.set(name, value);
  const init = { status: upstream.status, statusText: upstream.statusText, headers: out };
  if (upstream.body === null) {
    await lease.release();
    return new Response(null, init);
  }
  // flush() runs when the upstream body has ended and before the client's
  // stream closes, so a client that has read a whole response finds its
  // slot free. A cancelled (client gone) or failed stream rejects pipeTo.
  const { readable, writable } = new TransformStream({ flush: () => lease.release().then(() => {}) });
  ctx.waitUntil(upstream.body.pipeTo(writable).catch(() => lease.release()));
  return new Response(readable, init);
}
