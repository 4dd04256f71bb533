// One Durable Object per account: the single, consistent owner of the
// account's keys, daily quota, call counts and concurrency leases. It keeps
// the `Account` of the apikeys package in memory and writes `toJSON()` to its
// transactional storage after every change (an admitted call, a release, a
// management operation), so an eviction or a restart loses nothing.
//
// Writes are not awaited: the runtime's output gate holds every response of
// this object until the writes made before it are durable, and a failed write
// resets the object (it then reloads the last durable state).
import { DurableObject } from "cloudflare:workers";
import { Account } from "apikeys";

const ADMIN = Object.freeze({ role: "admin" });

/**
 * @typedef {{ ok: true, value: T } | { ok: false, code: string, message: string }} Result
 * @template T
 */

/**
 * @param {unknown} e
 * @returns {{ ok: false, code: string, message: string }}
 */
function failure(e) {
  const err = /** @type {{ code?: unknown, message?: unknown }} */ (e ?? {});
  if (typeof err.code === "string") return { ok: false, code: err.code, message: String(err.message) };
  throw e;
}

/**
 * The directory object of a key ID.
 * @param {import("./worker.js").Env} env
 * @param {string} keyId
 */
export function directoryOf(env, keyId) {
  return env.KEY_DIRECTORY.get(env.KEY_DIRECTORY.idFromName(keyId));
}

/**
 * An account's Durable Object. Its methods are called over Workers RPC.
 * Management methods return a Result instead of throwing, so the caller
 * gets the stable `code` (RPC keeps only an error's message).
 * @extends {DurableObject}
 */
export class AccountObject extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {import("./worker.js").Env} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {Account} */
    this.account = new Account();
    ctx.blockConcurrencyWhile(async () => {
      const state = await ctx.storage.get("account");
      // A corrupt state throws here: the object fails closed.
      if (state !== undefined) this.account = Account.fromJSON(state);
    });
  }

  /** Writes the account's state; made durable before any response leaves. */
  save() {
    if (globalThis.NOSAVE) return; this.ctx.storage.put("account", this.account.toJSON());
  }

  /**
   * Checks one request. Admitted: the call is counted, a lease taken, and the
   * state saved. Refused: nothing changes.
   * @param {string | null} header the Authorization header
   * @param {string} method
   * @returns {import("apikeys").AccountDecision}
   */
  authorize(header, method) {
    const decision = this.account.authorize(header, method, Date.now());
    if (decision.ok) this.save();
    return decision;
  }

  /**
   * Gives back the lease of a finished call.
   * @param {string} leaseId
   * @returns {boolean} whether a live lease was held under that ID
   */
  release(leaseId) {
    const held = this.account.release(leaseId, Date.now());
    this.save();
    return held;
  }

  /**
   * Creates an application and its key, then registers the key ID in the
   * directory. If the directory cannot be written, the key is removed again:
   * a key exists only if the edge can find it.
   * @param {string} accountId this object's account (the name it was addressed by)
   * @param {import("apikeys").NewKey} input
   * @returns {Promise<Result<import("apikeys").CreatedKey>>}
   */
  async createKey(accountId, input) {
    let created;
    try {
      created = this.account.createKey(ADMIN, input, Date.now());
    } catch (e) {
      return failure(e);
    }
    this.save();
    let registered = false;
    try {
      registered = await directoryOf(this.env, created.keyId).register(accountId);
    } catch {
      registered = false;
    }
    if (!registered) {
      try {
        this.account.deleteKey(ADMIN, created.keyId, Date.now());
      } catch {
        // Already deleted meanwhile.
      }
      this.save();
      return { ok: false, code: "DIRECTORY_UNAVAILABLE", message: "The key directory could not be updated; try again." };
    }
    return { ok: true, value: created };
  }

  /**
   * The keys page: calls today, remaining balance, each key's counts.
   * @returns {Result<import("apikeys").KeyList>}
   */
  listKeys() {
    try {
      return { ok: true, value: this.account.listKeys(ADMIN, Date.now()) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Replaces a key's secret: the old one is refused from the next call on,
   * through every worker, since every call is checked here.
   * @param {string} keyId
   * @returns {Result<import("apikeys").ResetKey>}
   */
  resetSecret(keyId) {
    try {
      const reset = this.account.resetSecret(ADMIN, keyId, Date.now());
      this.save();
      return { ok: true, value: reset };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Deletes an application; it is refused from the next call on. The
   * directory entry is removed too (if that fails, the stale entry only
   * leads here, where the key no longer exists).
   * @param {string} accountId
   * @param {string} keyId
   * @returns {Promise<Result<null>>}
   */
  async deleteKey(accountId, keyId) {
    try {
      this.account.deleteKey(ADMIN, keyId, Date.now());
    } catch (e) {
      return failure(e);
    }
    this.save();
    try {
      await directoryOf(this.env, keyId).unregister(accountId);
    } catch {
      // Harmless: see above.
    }
    return { ok: true, value: null };
  }
}
