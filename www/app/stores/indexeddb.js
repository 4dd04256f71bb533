// The IndexedDB store (the default): the account lives in this browser.
//
// One account state record in IndexedDB, through `idb`. Every change is ONE
// readwrite transaction: read the record, restore the Account from it, apply
// the (synchronous) wasm call, write `toJSON()` back. IndexedDB runs readwrite
// transactions on the same store one after another, so two tabs changing the
// account at once never lose each other's update. Nothing but IDB requests is
// awaited inside a transaction (awaiting anything else would let it
// auto-commit early). After a commit, other tabs are told through a
// BroadcastChannel and re-read.
//
// What is stored is exactly `account.toJSON()`: plain data, versioned, with
// argon2id hashes and never a secret. Secrets live only in the memory of the
// page that showed them.
import { Account } from "apikeys";
import { deleteDB, openDB } from "idb";
import { StateError, apiError } from "./errors.js";
import { Sync } from "./sync.js";
import { sampleTraffic } from "./sample-traffic.js";

export const DB_NAME = "apikeys-portal";
export const DB_VERSION = 1;
export const STORE = "account";
export const RECORD = "state";
const CHANNEL = "apikeys-portal";

/** Calls a method of the package that an older build may not have (history came later). */
function call(account, method, ...args) {
  if (typeof account[method] !== "function") {
    throw apiError("NOT_FOUND", `this build of the apikeys package has no account.${method}`);
  }
  return account[method](...args);
}

function describe(e) {
  return e?.code ? `${e.code}: ${e.message}` : `${e?.name ?? "Error"}: ${e?.message ?? e}`;
}

/** Restores the account from the stored record (a new one when there is none). */
function restore(record) {
  if (record === undefined) return new Account();
  try {
    return Account.fromJSON(record);
  } catch (e) {
    throw new StateError(
      "The API key data saved in this browser is damaged or was written by something else, so it cannot be read.",
      describe(e),
    );
  }
}

const STATUS_TEXT = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

export class IndexedDbStore {
  kind = "indexeddb";
  /** What this store can do beyond the common interface. */
  features = { switchUser: true, heldConnections: true, sampleTraffic: true, startOver: true, curl: false };
  #db = null;
  #sync;
  #actor;

  /** @param {{ actor: () => { role: string, id?: string } }} options who is signed in (asked on every call) */
  constructor({ actor }) {
    this.#actor = actor;
    this.#sync = new Sync(CHANNEL);
  }

  /** Calls `fn` when another tab changed the data (or the page came back into view). */
  subscribe(fn) {
    return this.#sync.subscribe(fn);
  }

  close() {
    this.#sync.close();
    this.#disconnect();
  }

  // ---- the common interface (see ../store.js) ----

  listKeys() {
    const now = Date.now();
    return this.#read((account) => account.listKeys(this.#actor(), now));
  }

  /** -> CreatedKey plus `secretSetAt` */
  async createKey(input) {
    const now = Date.now();
    const created = await this.#change((account) => account.createKey(this.#actor(), input, now));
    return { ...created, secretSetAt: now };
  }

  /** -> { keyId, secret, secretSetAt } */
  async resetSecret(keyId) {
    const now = Date.now();
    const reset = await this.#change((account) => account.resetSecret(this.#actor(), keyId, now));
    return { ...reset, secretSetAt: now };
  }

  async deleteKey(keyId) {
    const now = Date.now();
    await this.#change((account) => account.deleteKey(this.#actor(), keyId, now));
  }

  /** -> the key's row, as in listKeys */
  updateKey(keyId, changes) {
    const now = Date.now();
    return this.#change((account) => call(account, "updateKey", this.#actor(), keyId, changes, now));
  }

  usage({ days }) {
    const now = Date.now();
    return this.#read((account) => call(account, "usage", this.#actor(), { days }, now));
  }

  auditLog() {
    const now = Date.now();
    return this.#read((account) => call(account, "auditLog", this.#actor(), now));
  }

  /**
   * The API console's request, answered by `account.authorize` on this
   * browser's account (there is no server). A call not held open is released
   * at once, as a finished request would be.
   */
  async send({ method, path, authorization, hold = false }) {
    const at = Date.now();
    const decision = await this.#change((account) => {
      const d = account.authorize(authorization, method, at);
      if (d.leaseId && !hold) account.release(d.leaseId, at);
      return d;
    });
    return {
      at,
      method,
      path,
      status: decision.status,
      statusText: STATUS_TEXT[decision.status] ?? "",
      code: decision.code,
      headers: Object.entries(decision.headers ?? {}),
      body: null,
      decision: { ...decision, held: hold && Boolean(decision.leaseId) },
    };
  }

  /** The held connections (live leases) of the console: { leases, names, limit, ttlMs }. */
  connections() {
    const now = Date.now();
    return this.#read((account) => {
      const state = account.toJSON();
      return {
        leases: state.leases.filter((l) => l.expiresAt > now),
        names: new Map(state.keys.map((k) => [k.keyId, k.name])),
        ttlMs: state.limits.leaseTtlMs,
        limit: state.limits.maxConnections,
      };
    });
  }

  async release(leaseIds) {
    const at = Date.now();
    await this.#change((account) => {
      for (const id of leaseIds) account.release(id, at);
    });
  }

  /**
   * Demo data: sends a few weeks of calls through the real `authorize` with
   * past times passed in (see sample-traffic.js). One transaction per day of
   * traffic, so the page stays responsive; `onProgress(done, total)`.
   */
  addSampleTraffic({ onProgress } = {}) {
    return sampleTraffic(this, { actor: this.#actor(), onProgress });
  }

  /** Runs `fn(account)` on the current state in one readwrite transaction (sample-traffic.js). */
  changeAccount(fn) {
    return this.#change(fn);
  }

  /** Reads the current state with `fn(account)` (sample-traffic.js). */
  readAccount(fn) {
    return this.#read(fn);
  }

  async #connect() {
    if (this.#db) return this.#db;
    try {
      this.#db = await openDB(DB_NAME, DB_VERSION, {
        upgrade(db) {
          db.createObjectStore(STORE);
        },
        // Another tab wants to delete or upgrade the database: let it, and
        // reconnect on the next operation.
        blocking: () => this.#disconnect(),
        terminated: () => {
          this.#db = null;
        },
      });
    } catch (e) {
      if (e?.name === "VersionError") {
        throw new StateError(
          "This browser holds a newer or foreign API key database that this portal cannot read.",
          describe(e),
        );
      }
      throw new StateError("The browser's database (IndexedDB) is not available in this window.", describe(e));
    }
    if (!this.#db.objectStoreNames.contains(STORE)) {
      throw new StateError("This browser holds a foreign database under the portal's name.", `no "${STORE}" store`);
    }
    return this.#db;
  }

  #disconnect() {
    this.#db?.close();
    this.#db = null;
  }

  /** Runs `fn(account)` on the current state, read-only. Returns its result. */
  async #read(fn) {
    const db = await this.#connect();
    const record = await db.get(STORE, RECORD);
    const account = restore(record);
    try {
      return fn(account);
    } finally {
      account.free();
    }
  }

  /**
   * Applies `fn(account)` in one readwrite transaction and returns its result.
   * When `fn` throws (an ApiKeyError), nothing is written and the error is
   * rethrown. `fn` must be synchronous.
   */
  async #change(fn) {
    const db = await this.#connect();
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const record = await store.get(RECORD);
    let account;
    let result;
    let failure = null;
    try {
      account = restore(record);
      result = fn(account);
      // No await between the get above and this put: the transaction stays active.
      store.put(account.toJSON(), RECORD);
    } catch (e) {
      failure = e;
    } finally {
      account?.free();
    }
    await tx.done;
    if (failure) throw failure;
    this.#sync.announce();
    return result;
  }

  /** Replaces whatever is stored with a new, empty account. */
  async startOver() {
    try {
      const db = await this.#connect();
      const fresh = new Account();
      try {
        await db.put(STORE, fresh.toJSON(), RECORD);
      } finally {
        fresh.free();
      }
    } catch {
      // The database itself is foreign or broken: delete it and make a new one.
      this.#disconnect();
      await deleteDB(DB_NAME);
      await this.#connect();
    }
    this.#sync.announce();
  }
}
