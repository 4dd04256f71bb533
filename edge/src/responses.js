// HTTP responses of the edge worker: JSON bodies for refusals and errors.
// A client learns why it was refused, but never whether an unknown key or a
// wrong secret was the reason: both are INVALID_CREDENTIALS, byte for byte.

/** Decision codes a client may see as they are. Others map to a public code. */
const PUBLIC_CODES = {
  MISSING_CREDENTIALS: ["MISSING_CREDENTIALS", "Send Authorization: Basic base64(apiKeyId:apiKeySecret)."],
  UNSUPPORTED_SCHEME: ["MISSING_CREDENTIALS", "Send Authorization: Basic base64(apiKeyId:apiKeySecret)."],
  MALFORMED_CREDENTIALS: ["MALFORMED_CREDENTIALS", "The API key ID or secret is malformed (check for a copy-and-paste error)."],
  UNKNOWN_KEY: ["INVALID_CREDENTIALS", "The API key ID or secret is not valid."],
  INVALID_SECRET: ["INVALID_CREDENTIALS", "The API key ID or secret is not valid."],
  READ_ONLY_KEY: ["READ_ONLY_KEY", "This API key is read-only: only GET, HEAD and OPTIONS are allowed."],
  DAILY_LIMIT_EXCEEDED: ["DAILY_LIMIT_EXCEEDED", "The account has used its daily API calls; the quota resets at 00:00 UTC."],
  CONCURRENCY_LIMIT_EXCEEDED: ["CONCURRENCY_LIMIT_EXCEEDED", "This API key already has the maximum number of requests in flight."],
  INVALID_METHOD: ["INVALID_METHOD", "The request method is not valid."],
};

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
  const [code, message] = PUBLIC_CODES[decision.code] ?? ["INTERNAL_ERROR", "The request could not be checked."];
  return { error: { code, message } };
}

/**
 * The response to a refused decision: its status, its headers
 * (WWW-Authenticate, Retry-After, RateLimit-*) and a small JSON body.
 * @param {import("apikeys").Decision} decision
 * @returns {Response}
 */
export function refusal(decision) {
  return json(decision.status, refusalBody(decision), decision.headers);
}

/**
 * An error response of the edge itself or of a management endpoint.
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {HeadersInit} [headers]
 * @returns {Response}
 */
export function error(status, code, message, headers) {
  return json(status, { error: { code, message } }, headers);
}

/**
 * 429 TOO_MANY_FAILED_AUTHENTICATIONS: the client's IP failed to
 * authenticate too often; refused before any verification.
 * @param {number} retryAfter seconds
 */
export function tooManyFailures(retryAfter) {
  return error(429, "TOO_MANY_FAILED_AUTHENTICATIONS", "Too many failed authentications from this address; try again later.", {
    "Retry-After": String(retryAfter),
  });
}

/** HTTP status of a management error code (codes of ApiKeyError). */
export function managementStatus(code) {
  switch (code) {
    case "INVALID_NAME":
    case "INVALID_DESCRIPTION":
    case "INVALID_INPUT":
    case "INVALID_LIMITS":
      return 400;
    case "NOT_ADMIN":
      return 403;
    case "UNKNOWN_KEY":
    case "UNKNOWN_ACCOUNT":
      return 404;
    case "APPLICATION_LIMIT_REACHED":
      return 409;
    case "DIRECTORY_UNAVAILABLE":
      return 503;
    default:
      return 500;
  }
}
