// The key directory: which account owns an API key ID. One Durable Object per
// key ID (`idFromName(keyId)`), so the directory is sharded by key ID as far as
// it goes: no hot shard, no shard count to choose or to migrate. Each object
// holds one entry in its transactional storage; reads and writes are strongly
// consistent, so a key unregistered here is unknown to every worker at once.
import { DurableObject } from "cloudflare:workers";

/**
 * One directory entry: the account of one key ID.
 * @extends {DurableObject}
 */
export class KeyDirectory extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {unknown} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {string | null} the owning account, cached from storage */
    this.accountId = null;
    ctx.blockConcurrencyWhile(async () => {
      this.accountId = (await ctx.storage.get("accountId")) ?? null;
    });
  }

  /**
   * The account that owns this object's key ID, or null.
   * @returns {string | null}
   */
  lookup() {
    return this.accountId;
  }

  /**
   * Records that `accountId` owns this key ID. Refuses (returns false) if
   * another account already owns it: key IDs are never reassigned.
   * @param {string} accountId
   * @returns {boolean}
   */
  register(accountId) {
    if (this.accountId !== null && this.accountId !== accountId) return false;
    this.accountId = accountId;
    this.ctx.storage.put("accountId", accountId);
    return true;
  }

  /**
   * Forgets this key ID if `accountId` owns it. Returns whether it did.
   * @param {string} accountId
   * @returns {boolean}
   */
  unregister(accountId) {
    if (this.accountId !== accountId) return false;
    this.accountId = null;
    this.ctx.storage.delete("accountId");
    return true;
  }
}
