// The management API under /_apikeys/: accounts, their keys, and account
// admin tokens. The operator authenticates with `Bearer <ADMIN_TOKEN>` and
// acts as { role: "admin", id: "operator" }; an account admin with a JWT
// (admin-auth.js) acts as { role, id: sub } on its own account only. The
// account object passes that actor to the package, whose admin check decides.
//
//   PUT    /_apikeys/accounts/{accountId}                 operator   { limits? } -> 201 | 200 { accountId, limits, createdAt }
//   GET    /_apikeys/accounts/{accountId}                 both       -> 200 { accountId, limits, createdAt }
//   DELETE /_apikeys/accounts/{accountId}                 operator   -> 204
//   GET    /_apikeys/accounts/{accountId}/keys            both       -> 200 the keys page
//   POST   /_apikeys/accounts/{accountId}/keys            both       -> 201 { keyId, secret, ... }
//   POST   /_apikeys/accounts/{accountId}/keys/{keyId}/reset  both   -> 200 { keyId, secret }
//   DELETE /_apikeys/accounts/{accountId}/keys/{keyId}    both       -> 204
//   POST   /_apikeys/tokens                               operator   { account, sub, role, ttlSeconds? } -> 200 { token, expiresAt }
// Every status and code: edge/README.md, "Management API".
import { ACCOUNT_ID, MIN_SECRET_LENGTH, authenticate, mintToken, tokenRequest } from "./admin-auth.js";
import { OPERATOR } from "./account-object.js";
import { blockedFor, clientIp, countFailure } from "./rate-limit.js";
import { error, json, managementStatus, tooManyFailures } from "./responses.js";

const MAX_BODY = 4096;
const ADMIN_CHALLENGE = 'Bearer realm="apikeys-admin"';

/** @typedef {import("./admin-auth.js").Principal} Principal */

/**
 * @param {Request} request
 * @param {import("./worker.js").Env} env
 * @param {URL} url
 * @returns {Promise<Response>}
 */
export async function handleManagement(request, env, url) {
  const ip = clientIp(request);
  const waited = blockedFor(ip, Date.now());
  if (waited > 0) return tooManyFailures(waited);

  const principal = await authenticate(request, env);
  if (principal.kind === "refused") {
    if (principal.status !== 401) return error(principal.status, principal.code, principal.message);
    const blocked = await countFailure(env, ip, Date.now());
    if (blocked > 0) return tooManyFailures(blocked);
    const challenge = request.headers.has("Authorization") ? `${ADMIN_CHALLENGE}, error="invalid_token"` : ADMIN_CHALLENGE;
    return error(401, principal.code, principal.message, { "WWW-Authenticate": challenge });
  }

  if (url.pathname === "/_apikeys/tokens" || url.pathname === "/_apikeys/tokens/") {
    if (request.method !== "POST") return notAllowed(["POST"]);
    return mint(request, env, principal);
  }
  const route = /^\/_apikeys\/accounts\/([^/]+)(?:\/(keys)(?:\/([^/]+)(\/reset)?)?)?\/?$/.exec(url.pathname);
  if (!route) return error(404, "NOT_FOUND", "No such management endpoint.");
  const [, accountId, keys, keyId, reset] = route;
  // An account admin's token names one account: any other is answered as if
  // it did not exist (the same 404 whether it exists or not).
  if (principal.kind === "account" && principal.account !== accountId) return unknownAccount();
  if (!ACCOUNT_ID.test(accountId)) return error(400, "INVALID_ACCOUNT_ID", "Account IDs are 1-64 characters of A-Z a-z 0-9 _ -.");
  const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
  const { actor } = principal;
  const method = request.method;

  if (keys === undefined) {
    if (method === "GET") return answer(await account.getAccount(accountId, actor), 200);
    if (method === "PUT" || method === "DELETE") {
      if (principal.kind !== "operator") return operatorOnly();
      if (method === "DELETE") return answer(await account.deleteAccount(accountId), 204);
      const body = await readJson(request, { allowEmpty: true });
      if (!body.ok) return body.response;
      const input = body.value ?? {};
      const { limits, ...rest } = /** @type {Record<string, unknown>} */ (isObject(input) ? input : { "": 0 });
      if (Object.keys(rest).length > 0 || (limits !== undefined && !isObject(limits))) {
        return error(400, "INVALID_INPUT", "Send a JSON object { limits? }, limits being any subset of the account's limits.");
      }
      const result = await account.putAccount(accountId, limits);
      return answer(result, result.ok && result.created ? 201 : 200);
    }
    return notAllowed(["GET", "PUT", "DELETE"]);
  }
  if (keyId === undefined) {
    if (method === "GET") return answer(await account.listKeys(actor), 200);
    if (method === "POST") {
      const body = await readJson(request);
      if (!body.ok) return body.response;
      return answer(await account.createKey(accountId, actor, body.value), 201);
    }
    return notAllowed(["GET", "POST"]);
  }
  if (reset) {
    if (method === "POST") return answer(await account.resetSecret(accountId, actor, keyId), 200);
    return notAllowed(["POST"]);
  }
  if (method === "DELETE") return answer(await account.deleteKey(accountId, actor, keyId), 204);
  return notAllowed(["DELETE"]);
}

/**
 * POST /_apikeys/tokens: the operator mints an account admin token.
 * @param {Request} request
 * @param {import("./worker.js").Env} env
 * @param {Principal} principal
 */
async function mint(request, env, principal) {
  if (principal.kind !== "operator") return operatorOnly();
  const secret = env.ADMIN_JWT_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH) {
    return error(503, "ADMIN_JWT_NOT_CONFIGURED", "Set the ADMIN_JWT_SECRET secret (32+ characters) to mint account admin tokens.");
  }
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const input = tokenRequest(body.value);
  if (!input.ok) return error(400, "INVALID_INPUT", input.message);
  // Tokens only for accounts that exist (a typo is caught here, not later).
  const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName(input.value.account));
  const exists = await account.getAccount(input.value.account, OPERATOR);
  if (!exists.ok) return answer(exists, 200);
  return json(200, await mintToken(secret, input.value, Date.now()));
}

/**
 * @param {{ ok: boolean, code?: string, message?: string, value?: unknown }} result
 * @param {number} status
 */
function answer(result, status) {
  if (result.ok) return json(status, result.value);
  return error(managementStatus(/** @type {string} */ (result.code)), /** @type {string} */ (result.code), /** @type {string} */ (result.message));
}

/**
 * Reads a JSON body of at most MAX_BODY bytes.
 * @param {Request} request
 * @param {{ allowEmpty?: boolean }} [options]
 * @returns {Promise<{ ok: true, value: any } | { ok: false, response: Response }>}
 */
async function readJson(request, { allowEmpty = false } = {}) {
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY) {
    return { ok: false, response: error(413, "INVALID_INPUT", "The request body is too large.") };
  }
  try {
    const text = await request.text();
    if (text.length > MAX_BODY) return { ok: false, response: error(413, "INVALID_INPUT", "The request body is too large.") };
    if (text.trim() === "" && allowEmpty) return { ok: true, value: undefined };
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: error(400, "INVALID_INPUT", "The request body must be JSON.") };
  }
}

/** @param {unknown} v */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

const unknownAccount = () => error(404, "UNKNOWN_ACCOUNT", "No such account.");
const operatorOnly = () => error(403, "OPERATOR_ONLY", "Only the operator (ADMIN_TOKEN) may do this.");

/** @param {string[]} allowed */
function notAllowed(allowed) {
  return error(405, "METHOD_NOT_ALLOWED", "Method not allowed on this endpoint.", { Allow: allowed.join(", ") });
}
