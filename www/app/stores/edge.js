// The edge store: the account lives in the edge worker's Durable Object, and
// the portal manages it through the worker's management API, same-origin:
//
//   GET    /_apikeys/accounts/{accountId}/keys                list
//   POST   /_apikeys/accounts/{accountId}/keys                create
//   PATCH  /_apikeys/accounts/{accountId}/keys/{keyId}        edit
//   POST   /_apikeys/accounts/{accountId}/keys/{keyId}/reset  reset
//   DELETE /_apikeys/accounts/{accountId}/keys/{keyId}        delete
//   GET    /_apikeys/accounts/{accountId}/usage?days=N        history
//   GET    /_apikeys/accounts/{accountId}/audit               audit trail
//
// Who is asking: in production an account admin's token (read once from the
// URL fragment, kept in sessionStorage until it expires, sent as Bearer); in
// `serve.sh --edge`, nothing: the local server adds a token it minted itself,
// so the browser never holds the operator's token.
//
// Error bodies `{ error: { code, message } }` become ApiKeyError-like errors
// with the package's message for the code (errors.js), as the IndexedDB store
// throws them. The API console's calls are real HTTP requests to the worker's
// API gate (every path outside /_apikeys/), answered as any client sees them.
import { ConnectionError, SessionError, apiError } from "./errors.js";
import { Sync } from "./sync.js";

const MANAGEMENT = "/_apikeys/";
/** Body of an answer shown in the console, at most (the rest is cut). */
const MAX_BODY = 16 * 1024;

export class EdgeStore {
  kind = "edge";
  features = { switchUser: false, heldConnections: false, sampleTraffic: false, startOver: false, curl: true };
  #base;
  #token;
  #sync;
  #lastList = null;

  /**
   * @param {{ accountId: string, token?: string | null, apiUrl?: string, session: object }} options
   *   `token`: the admin's bearer token (production); absent when a local proxy adds it.
   *   `apiUrl`: where clients send API calls (for the ready-made curl line).
   */
  constructor({ accountId, token = null, apiUrl = location.origin, session }) {
    this.accountId = accountId;
    this.apiUrl = apiUrl.replace(/\/$/, "");
    this.session = session;
    this.#base = `${MANAGEMENT}accounts/${encodeURIComponent(accountId)}`;
    this.#token = token;
    this.#sync = new Sync(`apikeys-portal:edge:${accountId}`, { poll: () => this.#changedElsewhere() });
  }

  subscribe(fn) {
    return this.#sync.subscribe(fn);
  }

  close() {
    this.#sync.close();
  }

  // ---- the common interface (see ../store.js) ----

  async listKeys() {
    const list = await this.#request("GET", "/keys");
    this.#lastList = JSON.stringify(list);
    return list;
  }

  async createKey(input) {
    const created = await this.#change("POST", "/keys", input);
    return { ...created, secretSetAt: created.secretSetAt ?? created.createdAt };
  }

  async resetSecret(keyId) {
    const reset = await this.#change("POST", `/keys/${encodeURIComponent(keyId)}/reset`);
    // The details page shows the secret only while it is the key's current
    // one; the worker's clock set it, so ask the worker when.
    let secretSetAt = reset.secretSetAt;
    if (secretSetAt === undefined) {
      const list = await this.listKeys();
      secretSetAt = list.keys.find((k) => k.keyId === keyId)?.secretSetAt;
    }
    return { ...reset, secretSetAt };
  }

  async deleteKey(keyId) {
    await this.#change("DELETE", `/keys/${encodeURIComponent(keyId)}`);
  }

  updateKey(keyId, changes) {
    return this.#change("PATCH", `/keys/${encodeURIComponent(keyId)}`, changes);
  }

  usage({ days }) {
    return this.#request("GET", `/usage?days=${encodeURIComponent(days)}`);
  }

  async auditLog() {
    const body = await this.#request("GET", "/audit");
    return Array.isArray(body) ? body : (body?.events ?? []);
  }

  /**
   * The API console's request: a real HTTP request to the API gate on this
   * origin. What comes back is shown as any HTTP client gets it.
   */
  async send({ method, path, authorization }) {
    const target = new URL(path || "/", location.origin);
    if (target.origin !== location.origin || target.pathname.startsWith(MANAGEMENT)) {
      throw apiError("INVALID_INPUT", `The console calls the API: use a path outside ${MANAGEMENT}.`);
    }
    const headers = new Headers();
    if (authorization !== null && authorization !== undefined) headers.set("Authorization", authorization);
    const at = Date.now();
    let response;
    try {
      response = await fetch(target.pathname + target.search, {
        method,
        headers,
        credentials: "omit",
        cache: "no-store",
        redirect: "manual",
      });
    } catch (e) {
      throw new ConnectionError("The API did not answer.", e?.message ?? String(e));
    }
    let body = method === "HEAD" ? "" : await response.text();
    if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY)}\n… (cut at ${MAX_BODY} characters)`;
    let code = null;
    try {
      code = JSON.parse(body)?.error?.code ?? null;
    } catch {
      // Not JSON: the upstream's own answer.
    }
    return {
      at,
      method,
      path: target.pathname + target.search,
      status: response.status,
      statusText: response.statusText,
      code: code ?? (response.ok ? "OK" : null),
      headers: [...response.headers],
      body,
      decision: null,
    };
  }

  // ---- HTTP ----

  async #change(method, path, body) {
    const result = await this.#request(method, path, body);
    this.#sync.announce();
    return result;
  }

  async #request(method, path, body) {
    const headers = new Headers({ Accept: "application/json", "X-Apikeys-Portal": "1" });
    if (this.#token) headers.set("Authorization", `Bearer ${this.#token}`);
    if (body !== undefined) headers.set("Content-Type", "application/json");
    let response;
    try {
      response = await fetch(this.#base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
        redirect: "error",
      });
    } catch (e) {
      throw new ConnectionError("The portal could not reach the API key service.", e?.message ?? String(e));
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // handled below
    }
    if (response.ok && (data !== null || !text)) return data;
    const error = data?.error;
    if (response.status === 401 && error?.code !== undefined) {
      throw new SessionError(
        "Your admin session has ended, so the API key service no longer accepts the portal's requests.",
        `${error.code}: ${error.message ?? ""}`.trim(),
      );
    }
    if ([502, 503, 504].includes(response.status)) {
      throw new ConnectionError(
        "The API key service is not available right now.",
        `HTTP ${response.status}${error?.code ? ` ${error.code}: ${error.message ?? ""}` : ""}`.trim(),
      );
    }
    if (typeof error?.code === "string") throw apiError(error.code, error.message, response.status);
    throw new ConnectionError(
      "The API key service gave an answer the portal cannot read.",
      `HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }

  /** The poll: did the key list change since this page last read it? */
  async #changedElsewhere() {
    if (this.#lastList === null) return false;
    const before = this.#lastList;
    await this.listKeys();
    return this.#lastList !== before;
  }
}
