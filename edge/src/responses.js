// HTTP responses of the edge worker: JSON bodies `{ error: { code, message } }`
// for refusals and errors.
//
// One table of codes: the package's (`errorInfo(code)` -> { code, status,
// message }) extended with the codes only the edge has (EDGE_CODES below).
// Where the edge uses a package code with another status or another public
// code, it says so next to the mapping (PUBLIC_CODE, MANAGEMENT_STATUS).
import { errorInfo } from "apikeys";

/**
 * Codes of the edge itself: [status, message]. None of them is a package code.
 * @type {Record<string, [number, string]>}
 */
const EDGE_CODES = {
  // A client's 401 for an unknown key and for a wrong secret alike (PUBLIC_CODE).
  INVALID_CREDENTIALS: [401, "The API key ID or secret is not valid."],
  TOO_MANY_FAILED_AUTHENTICATIONS: [429, "Too many failed authentications from this address; try again later."],
  UPSTREAM_UNAVAILABLE: [502, "The upstream API could not be reached."],
  UPSTREAM_TIMEOUT: [504, "The upstream API did not answer in time."],
  UPSTREAM_NOT_CONFIGURED: [500, "UPSTREAM_ORIGIN is not set."],
  INTERNAL_ERROR: [500, "The request could not be handled."],
  // Management.
  UNKNOWN_ACCOUNT: [404, "No such account."],
  INVALID_ADMIN_CREDENTIALS: [401, "The admin token is not valid."],
  OPERATOR_ONLY: [403, "Only the operator (ADMIN_TOKEN) may do this."],
  ADMIN_NOT_CONFIGURED: [503, "Management is disabled: set the ADMIN_TOKEN or ADMIN_JWT_SECRET secret (32+ characters)."],
  ADMIN_JWT_NOT_CONFIGURED: [503, "Set the ADMIN_JWT_SECRET secret (32+ characters) to mint account admin tokens."],
  INVALID_ACCOUNT_ID: [400, "Account IDs are 1-64 characters of A-Z a-z 0-9 _ -."],
  DIRECTORY_UNAVAILABLE: [503, "The key directory could not be updated; nothing was changed. Try again."],
  BODY_TOO_LARGE: [413, "The request body is too large."],
  NOT_FOUND: [404, "No such management endpoint."],
  METHOD_NOT_ALLOWED: [405, "Method not allowed on this endpoint."],
};

/** Every code the edge can answer with (the package's and its own). */
export const EDGE_ONLY_CODES = Object.freeze(Object.keys(EDGE_CODES));

/**
 * What a client is told for a refused API call's decision code, where it is
 * not the code itself.
 * @type {Record<string, string>}
 */
const PUBLIC_CODE = {
  // On purpose: a client's body never tells an unknown key from a wrong
  // secret (the operator sees the real code with LOG_REFUSALS).
  UNKNOWN_KEY: "INVALID_CREDENTIALS",
  INVALID_SECRET: "INVALID_CREDENTIALS",
  // A record still stale after one refresh (the directory is being repaired):
  // the key cannot be confirmed now, which the client sees as a 401.
  STALE_KEY_RECORD: "INVALID_CREDENTIALS",
  // The same advice for no header and a header of another scheme.
  UNSUPPORTED_SCHEME: "MISSING_CREDENTIALS",
};

/**
 * The status of a package code in a management answer, where it differs
 * from the package's status (a decision's).
 * @type {Record<string, number>}
 */
const MANAGEMENT_STATUS = {
  // On purpose: management answers a key ID the account does not have with
  // 404 (no such resource); for an API call it is a 401 (a credential).
  UNKNOWN_KEY: 404,
  // The operator's input to PUT /accounts (the package throws it from a
  // constructor, status 500 there).
  INVALID_LIMITS: 400,
};

/**
 * The table's row of a code: the edge's own, else the package's.
 * @param {string} code
 * @returns {{ code: string, status: number, message: string } | null}
 */
export function codeInfo(code) {
  const own = EDGE_CODES[code];
  if (own) return { code, status: own[0], message: own[1] };
  return errorInfo(code) ?? null;
}

/**
 * A JSON response.
 * @param {number} status
 * @param {unknown} body
 * @param {HeadersInit} [headers]
 * @returns {Response}
 */
export function json(status, body, headers) {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json; charset=utf-8");
  h.set("Cache-Control", "no-store");
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: h });
}

/**
 * The body a client sees for a refused decision.
 * @param {{ code: string }} decision
 * @returns {{ error: { code: string, message: string } }}
 */
export function refusalBody(decision) {
  const info = codeInfo(PUBLIC_CODE[decision.code] ?? decision.code) ?? /** @type {any} */ (codeInfo("INTERNAL_ERROR"));
  return { error: { code: info.code, message: info.message } };
}

/**
 * The response to a refused decision: its status (401 for a public
 * INVALID_CREDENTIALS), its headers (WWW-Authenticate, Retry-After,
 * RateLimit-*) and a small JSON body.
 * @param {import("apikeys").Decision} decision
 * @returns {Response}
 */
export function refusal(decision) {
  const body = refusalBody(decision);
  const status = body.error.code === "INVALID_CREDENTIALS" ? 401 : decision.status;
  return json(status, body, decision.headers);
}

/**
 * An error response of the edge itself or of a management endpoint: the
 * code's status and message from the table, unless given.
 * @param {string} code
 * @param {{ status?: number, message?: string, headers?: HeadersInit }} [options]
 * @returns {Response}
 */
export function error(code, { status, message, headers } = {}) {
  const info = codeInfo(code);
  return json(status ?? info?.status ?? 500, { error: { code, message: message ?? info?.message ?? code } }, headers);
}

/**
 * A management error for a code thrown by the package or answered by an object.
 * @param {string} code
 * @param {string} [message]
 */
export function managementError(code, message) {
  return error(code, { status: MANAGEMENT_STATUS[code] ?? codeInfo(code)?.status ?? 500, message });
}

/**
 * 429 TOO_MANY_FAILED_AUTHENTICATIONS: the client's IP failed to
 * authenticate too often; refused before any verification.
 * @param {number} retryAfter seconds
 */
export function tooManyFailures(retryAfter) {
  return error("TOO_MANY_FAILED_AUTHENTICATIONS", { headers: { "Retry-After": String(retryAfter) } });
}
