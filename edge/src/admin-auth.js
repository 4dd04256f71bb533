// Who is calling the management API: the operator (the ADMIN_TOKEN secret)
// or an account admin (a short-lived JWT, HS256, signed with the
// ADMIN_JWT_SECRET secret, verified with jose). Also mints those JWTs, for
// POST /_apikeys/tokens and for scripts/admin-token.mjs (this module runs in
// Node as well as in workerd).
import { SignJWT, jwtVerify } from "jose";

/** The longest an account admin token may live: `exp` at most 1 h ahead. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
/** The lifetime of a minted token when the request does not say. */
export const DEFAULT_TOKEN_TTL_SECONDS = 900;
/** Clock skew accepted between the minting backend and the edge, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Secrets shorter than this are treated as unset (management is then off). */
export const MIN_SECRET_LENGTH = 32;

/** Account IDs: the path segment of /_apikeys/accounts/{accountId}. */
export const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** An admin's identity (`sub`): no control characters, 1 to 128 bytes of UTF-8 (the package keeps actor IDs of up to 128 bytes). */
const SUBJECT = /^[^\u0000-\u001f\u007f]+$/;
/** @param {unknown} sub */
const isSubject = (sub) => typeof sub === "string" && SUBJECT.test(sub) && new TextEncoder().encode(sub).length <= 128;
export const ROLES = Object.freeze(["admin", "user"]);

/**
 * The caller of a management endpoint, once authenticated.
 * @typedef {{ kind: "operator", actor: { role: "admin", id: "operator" } }
 *   | { kind: "account", account: string, actor: { role: "admin" | "user", id: string }, expiresAt: number }} Principal
 */

/**
 * @typedef {{ kind: "refused", status: number, code: string, message: string }} Refused
 */

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
  return /** @type {any} */ (crypto.subtle).timingSafeEqual
    ? /** @type {any} */ (crypto.subtle).timingSafeEqual(a, b)
    : timingSafeEqualBytes(new Uint8Array(a), new Uint8Array(b));
}

/**
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
function timingSafeEqualBytes(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** @param {string} secret */
const keyOf = (secret) => new TextEncoder().encode(secret);

/**
 * Authenticates a management request. The operator's token is compared in
 * constant time; anything else that looks like a JWT is verified as an
 * account admin token. Every failure is the same 401 to the caller (the
 * message says whether the token expired, nothing more).
 * @param {Request} request
 * @param {{ ADMIN_TOKEN?: string, ADMIN_JWT_SECRET?: string }} env
 * @returns {Promise<Principal | Refused>}
 */
export async function authenticate(request, env) {
  const operatorToken = (env.ADMIN_TOKEN ?? "").length >= MIN_SECRET_LENGTH ? env.ADMIN_TOKEN : null;
  const jwtSecret = (env.ADMIN_JWT_SECRET ?? "").length >= MIN_SECRET_LENGTH ? env.ADMIN_JWT_SECRET : null;
  if (operatorToken === null && jwtSecret === null) {
    return refused(503, "ADMIN_NOT_CONFIGURED", "Management is disabled: set the ADMIN_TOKEN or ADMIN_JWT_SECRET secret (32+ characters).");
  }
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.get("Authorization") ?? "");
  if (!bearer) return invalid("Management needs Authorization: Bearer <token>.");
  const token = bearer[1];
  if (operatorToken !== null && (await sameToken(token, operatorToken))) {
    return { kind: "operator", actor: { role: "admin", id: "operator" } };
  }
  if (jwtSecret === null || token.split(".").length !== 3) return invalid("The admin token is not valid.");
  return verifyAccountToken(token, jwtSecret, Date.now());
}

/**
 * Verifies an account admin token: HS256 only, signed with `secret`, claims
 * `sub`, `account`, `role` ("admin" or "user") and `exp`, not expired and at
 * most 1 h ahead.
 * @param {string} token
 * @param {string} secret
 * @param {number} now epoch ms
 * @returns {Promise<Principal | Refused>}
 */
export async function verifyAccountToken(token, secret, now) {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["sub", "account", "role", "exp"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (e) {
    const expired = /** @type {{ code?: string }} */ (e)?.code === "ERR_JWT_EXPIRED";
    return invalid(expired ? "The admin token has expired." : "The admin token is not valid.");
  }
  const { sub, account, role, exp } = payload;
  if (typeof exp !== "number" || exp * 1000 > now + (MAX_TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000) {
    return invalid("The admin token lives too long (exp must be at most 1 h ahead).");
  }
  if (!isSubject(sub)) return invalid("The admin token is not valid.");
  if (typeof account !== "string" || !ACCOUNT_ID.test(account)) return invalid("The admin token is not valid.");
  if (role !== "admin" && role !== "user") return invalid("The admin token is not valid.");
  return { kind: "account", account, actor: { role, id: sub }, expiresAt: exp * 1000 };
}

/**
 * The input of POST /_apikeys/tokens, checked.
 * @param {unknown} input
 * @returns {{ ok: true, value: { account: string, sub: string, role: "admin" | "user", ttlSeconds: number } } | { ok: false, message: string }}
 */
export function tokenRequest(input) {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, message: "Send a JSON object { account, sub, role, ttlSeconds? }." };
  }
  const { account, sub, role, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS, ...rest } = /** @type {Record<string, unknown>} */ (input);
  if (Object.keys(rest).length > 0) return { ok: false, message: `Unknown field: ${Object.keys(rest)[0].slice(0, 40)}.` };
  if (typeof account !== "string" || !ACCOUNT_ID.test(account)) return { ok: false, message: "account: 1-64 characters of A-Z a-z 0-9 _ -." };
  if (!isSubject(sub)) return { ok: false, message: "sub: 1-128 bytes of UTF-8, no control characters." };
  if (role !== "admin" && role !== "user") return { ok: false, message: 'role: "admin" or "user".' };
  if (typeof ttlSeconds !== "number" || !Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    return { ok: false, message: `ttlSeconds: an integer from 1 to ${MAX_TOKEN_TTL_SECONDS}.` };
  }
  return { ok: true, value: { account, sub, role, ttlSeconds } };
}

/**
 * Mints an account admin token.
 * @param {string} secret ADMIN_JWT_SECRET
 * @param {{ account: string, sub: string, role: "admin" | "user", ttlSeconds: number }} claims
 * @param {number} now epoch ms
 * @returns {Promise<{ token: string, expiresAt: number }>} expiresAt in epoch ms
 */
export async function mintToken(secret, { account, sub, role, ttlSeconds }, now) {
  const iat = Math.floor(now / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ account, role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyOf(secret));
  return { token, expiresAt: exp * 1000 };
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @returns {Refused}
 */
function refused(status, code, message) {
  return { kind: "refused", status, code, message };
}

/** @param {string} message */
const invalid = (message) => refused(401, "INVALID_ADMIN_CREDENTIALS", message);
