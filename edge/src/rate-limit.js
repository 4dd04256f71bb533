// Failed authentications per client IP, with the Workers Rate Limiting
// binding (`ratelimits` in wrangler.jsonc, binding FAILED_AUTH_LIMITER).
//
// Only failures are counted: every 401 of an API call except a request with
// no credentials at all, and every 401 of the management API. The binding
// only answers whether one more event is within the limit, and it counts the
// event it is asked about; so it is asked once per failure, never before
// a verification. When it answers "over the limit", the IP is blocked in
// this isolate for one whole period: from then on its calls are refused
// before any work (no directory, no argon2, no account object) with 429
// TOO_MANY_FAILED_AUTHENTICATIONS and Retry-After. Another isolate blocks
// the IP at the IP's first failure there (the binding's count is shared).

/** Default period when FAILED_AUTH_PERIOD_SECONDS is unset; must match wrangler.jsonc. */
const DEFAULT_PERIOD_SECONDS = 60;
/** At most this many blocked IPs are remembered per isolate. */
const MAX_BLOCKED = 10_000;

/** IP -> epoch ms until which its calls are refused (this isolate). */
const blockedUntil = new Map();

/**
 * The client's IP: `CF-Connecting-IP`, which Cloudflare sets on every request
 * (a client's own value is replaced). Without it (local development) every
 * caller shares one bucket.
 * @param {Request} request
 */
export function clientIp(request) {
  return request.headers.get("CF-Connecting-IP") ?? "unknown";
}

/**
 * The period of the binding, in seconds (10 or 60).
 * @param {{ FAILED_AUTH_PERIOD_SECONDS?: string }} env
 */
export function periodSeconds(env) {
  return Number(env.FAILED_AUTH_PERIOD_SECONDS) === 10 ? 10 : DEFAULT_PERIOD_SECONDS;
}

/**
 * Seconds until `ip` may try again, or 0 when it is not blocked.
 * @param {string} ip
 * @param {number} now epoch ms
 */
export function blockedFor(ip, now) {
  const until = blockedUntil.get(ip);
  if (until === undefined) return 0;
  if (until <= now) {
    blockedUntil.delete(ip);
    return 0;
  }
  return Math.ceil((until - now) / 1000);
}

/**
 * Counts one failed authentication of `ip`. Returns the seconds it must now
 * wait when this failure put it over the limit, else 0.
 * @param {{ FAILED_AUTH_LIMITER?: RateLimit, FAILED_AUTH_PERIOD_SECONDS?: string }} env
 * @param {string} ip
 * @param {number} now epoch ms
 */
export async function countFailure(env, ip, now) {
  if (!env.FAILED_AUTH_LIMITER) return 0;
  let within = true;
  try {
    ({ success: within } = await env.FAILED_AUTH_LIMITER.limit({ key: ip }));
  } catch {
    return 0; // the limiter is a protection, not a dependency: fail open
  }
  if (within) return 0;
  if (blockedUntil.size >= MAX_BLOCKED) {
    for (const [other, until] of blockedUntil) if (until <= now) blockedUntil.delete(other);
    if (blockedUntil.size >= MAX_BLOCKED) blockedUntil.delete(blockedUntil.keys().next().value);
  }
  const seconds = periodSeconds(env);
  blockedUntil.set(ip, now + seconds * 1000);
  return seconds;
}
