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
//   PATCH  /_apikeys/accounts/{accountId}/keys/{keyId}    both       { name?, description?, readOnly? } -> 200 the key's row
//   POST   /_apikeys/accounts/{accountId}/keys/{keyId}/reset  both   -> 200 { keyId, secret }
//   DELETE /_apikeys/accounts/{accountId}/keys/{keyId}    both       -> 204
//   GET    /_apikeys/accounts/{accountId}/usage?days=N    both       -> 200 { dailyLimit, days: [...] }
//   GET    /_apikeys/accounts/{accountId}/audit           both       -> 200 [ { at, actor, action, ... } ]
// (usage, audit and PATCH answer 404/405 until the package has the history.)
//   POST   /_apikeys/tokens                               operator   { account, sub, role, ttlSeconds? } -> 200 { token, expiresAt }
// Every status and code: edge/README.md, "Management API".
import { Account } from "apikeys";
import { ACCOUNT_ID, MIN_SECRET_LENGTH, authenticate, mintToken, tokenRequest } from "./admin-auth.js";
import { OPERATOR } from "./account-object.js";
import { blockedFor, clientIp, countFailure } from "./rate-limit.js";
import { error, json, managementError, tooManyFailures } from "./responses.js";

const MAX_BODY = 4096;
/** Whether the package has the account history (usage, audit log, updateKey). */
const HISTORY = ["usage", "auditLog", "updateKey"].every((m) => typeof (/** @type {any} */ (Account.prototype)[m]) === "function");
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
    if (principal.status !== 401) return error(principal.code, { status: principal.status, message: principal.message });
    const blocked = await countFailure(env, ip, Date.now());
    if (blocked > 0) return tooManyFailures(blocked);
    const challenge = request.headers.has("Authorization") ? `${ADMIN_CHALLENGE}, error="invalid_token"` : ADMIN_CHALLENGE;
    return error(principal.code, { message: principal.message, headers: { "WWW-Authenticate": challenge } });
  }

  if (url.pathname === "/_apikeys/tokens" || url.pathname === "/_apikeys/tokens/") {
    if (request.method !== "POST") return notAllowed(["POST"]);
    return mint(request, env, principal);
  }
  const route = /^\/_apikeys\/accounts\/([^/]+)(?:\/(keys|usage|audit)(?:\/([^/]+)(\/reset)?)?)?\/?$/.exec(url.pathname);
  if (!route || (route[2] !== undefined && route[2] !== "keys" && route[3] !== undefined)) return error("NOT_FOUND");
  if (route[2] !== undefined && route[2] !== "keys" && !HISTORY) return error("NOT_FOUND");
  const [, accountId, keys, keyId, reset] = route;
  // An account admin's token names one account: any other is answered as if
  // it did not exist (the same 404 whether it exists or not).
  if (principal.kind === "account" && principal.account !== accountId) return unknownAccount();
  if (!ACCOUNT_ID.test(accountId)) return error("INVALID_ACCOUNT_ID");
  const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
  const { actor } = principal;
  const method = request.method;

  if (keys === "usage") {
    if (method !== "GET") return notAllowed(["GET"]);
    const days = url.searchParams.get("days");
    if (days !== null && !/^\d{1,4}$/.test(days)) return error("INVALID_INPUT", { message: "days: a whole number of days." });
    return answer(await account.usage(actor, days === null ? {} : { days: Number(days) }), 200);
  }
  if (keys === "audit") {
    if (method !== "GET") return notAllowed(["GET"]);
    return answer(await account.auditLog(actor), 200);
  }
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
        return error("INVALID_INPUT", { message: "Send a JSON object { limits? }, limits being any subset of the account's limits." });
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
  if (method === "PATCH" && HISTORY) {
    const body = await readJson(request);
    if (!body.ok) return body.response;
    return answer(await account.updateKey(accountId, actor, keyId, body.value), 200);
  }
  return notAllowed(HISTORY ? ["PATCH", "DELETE"] : ["DELETE"]);
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
    return error("ADMIN_JWT_NOT_CONFIGURED");
  }
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const input = tokenRequest(body.value);
  if (!input.ok) return error("INVALID_INPUT", { message: input.message });
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
  return managementError(/** @type {string} */ (result.code), result.message);
}

/**
 * Reads a JSON body of at most MAX_BODY bytes.
 * @param {Request} request
 * @param {{ allowEmpty?: boolean }} [options]
 * @returns {Promise<{ ok: true, value: any } | { ok: false, response: Response }>}
 */
async function readJson(request, { allowEmpty = false } = {}) {
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY) {
    return { ok: false, response: error("BODY_TOO_LARGE") };
  }
  try {
    const text = await request.text();
    if (text.length > MAX_BODY) return { ok: false, response: error("BODY_TOO_LARGE") };
    if (text.trim() === "" && allowEmpty) return { ok: true, value: undefined };
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: error("INVALID_INPUT", { message: "The request body must be JSON." }) };
  }
}

/** @param {unknown} v */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

const unknownAccount = () => error("UNKNOWN_ACCOUNT");
const operatorOnly = () => error("OPERATOR_ONLY");

/** @param {string[]} allowed */
function notAllowed(allowed) {
  return error("METHOD_NOT_ALLOWED", { headers: { Allow: allowed.join(", ") } });
}
