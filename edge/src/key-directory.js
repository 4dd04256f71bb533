// The key directory: which account owns an API key ID, and the key's record
// as its account last published it. One Durable Object per key ID
// (`idFromName(keyId)`), so the directory is sharded by key ID as far as it
// goes: no hot shard, no shard count to choose or to migrate. Each object
// holds one entry in its transactional storage; reads and writes are strongly
// consistent.
//
// The account object is the only writer and the source of truth: it publishes
// an entry before a key can be used, updates it on every change of the key,
// and removes it when the key goes (see account-object.js). The directory
// never decides whether a call is admitted.
import { DurableObject } from "cloudflare:workers";
import { fault, tally } from "./faults.js";

/**
 * A key's record as the worker's cache needs it (null until the account
 * publishes records): see `account.keyRecord` in the package.
 * @typedef {{ keyId: string, secretHash: string, access: string, version: number, rehash: boolean }} KeyRecord
 */

/**
 * One directory entry.
 * @typedef {{ keyId: string, accountId: string, record: KeyRecord | null }} DirectoryEntry
 */

/**
 * The directory entry of one key ID.
 * @extends {DurableObject}
 */
export class KeyDirectory extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {import("./worker.js").Env} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {DirectoryEntry | null} cached from storage */
    this.entry = null;
    /** Lookups answered by this instance. */
    this.lookups = 0;
    ctx.blockConcurrencyWhile(async () => {
      this.entry = (await ctx.storage.get("entry")) ?? null;
    });
  }

  /**
   * The entry of this object's key ID (`keyId`: the name of this object), or
   * null. The test build counts each lookup in its plan, by key ID; in
   * production `tally` awaits nothing.
   * @param {string} keyId
   * @returns {Promise<DirectoryEntry | null>}
   */
  async lookup(keyId) {
    this.lookups++;
    const entry = this.entry !== null && this.entry.keyId === keyId ? this.entry : null;
    await tally(this.env, "lookup", keyId);
    return entry;
  }

  /**
   * Records that `accountId` owns this key ID (`keyId`: the name of this
   * object), with the key's current record. Refuses (returns false) if
   * another account owns it: key IDs are never reassigned. The account object
   * writes an entry only inside blockConcurrencyWhile, one sequence at a
   * time, so writes of one key arrive in order (versions are digests of the
   * record, not counters).
   * (The awaits of the fault hook come before the read-check-write, which
   * then runs in one turn; in production the hook awaits nothing.)
   * @param {string} keyId
   * @param {string} accountId
   * @param {KeyRecord | null} [record]
   * @returns {Promise<boolean>}
   */
  async register(keyId, accountId, record = null) {
    await fault(this.env, "directory.register", keyId);
    if (this.entry !== null && (this.entry.accountId !== accountId || this.entry.keyId !== keyId)) return false;
    this.entry = { keyId, accountId, record };
    this.ctx.storage.put("entry", this.entry);
    await fault(this.env, "directory.register.after", keyId);
    return true;
  }

  /**
   * Forgets this key ID if `accountId` owns it. Returns whether an entry of
   * that account was there. Idempotent.
   * @param {string} keyId
   * @param {string} accountId
   * @returns {Promise<boolean>}
   */
  async unregister(keyId, accountId) {
    await fault(this.env, "directory.unregister", keyId);
    if (this.entry === null || this.entry.accountId !== accountId || this.entry.keyId !== keyId) return false;
    this.entry = null;
    this.ctx.storage.delete("entry");
    return true;
  }

  /** Counters for the tests. */
  stats() {
    return { lookups: this.lookups, entry: this.entry !== null };
  }
}
