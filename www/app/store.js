// The portal's storage: one account state record in IndexedDB, through `idb`.
//
// Every change is ONE readwrite transaction: read the record, restore the
// Account from it, apply the (synchronous) wasm call, write `toJSON()` back.
// IndexedDB runs readwrite transactions on the same store one after another,
// so two tabs changing the account at once never lose each other's update.
// Nothing but IDB requests is awaited inside a transaction (awaiting anything
// else would let it auto-commit early). After a commit, other tabs are told
// through a BroadcastChannel and re-read.
//
// What is stored is exactly `account.toJSON()`: plain data, versioned, with
// argon2id hashes and never a secret. Secrets live only in the memory of the
// page that showed them.
import init, { Account } from "apikeys";
import { deleteDB, openDB } from "idb";

export const DB_NAME = "apikeys-portal";
export const DB_VERSION = 1;
export const STORE = "account";
export const RECORD = "state";
const CHANNEL = "apikeys-portal";

/** The stored data cannot be used: the page offers to start over. */
export class StateError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "StateError";
    this.detail = detail;
  }
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

export class Store {
  #db = null;
  #channel;
  #listeners = new Set();

  /** Loads the wasm module; the database is opened on first use. */
  static async open() {
    await init();
    return new Store();
  }

  constructor() {
    this.#channel = new BroadcastChannel(CHANNEL);
    this.#channel.onmessage = () => this.#emit();
  }

  /** Calls `fn` when another tab changed the data. Returns an unsubscribe function. */
  subscribe(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit() {
    for (const fn of this.#listeners) fn();
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
  async read(fn) {
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
  async change(fn) {
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
    this.#channel.postMessage({ type: "changed" });
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
    this.#channel.postMessage({ type: "changed" });
  }
}
