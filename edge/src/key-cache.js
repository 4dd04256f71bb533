// The per-isolate cache of the key directory: key ID -> the directory's
// entry (the owning account and the key's record), and a negative cache of
// key IDs the directory does not know.
//
// Entries are refreshed from the directory when the account object says the
// cached record is stale, and (at most once a second per key) when a secret
// fails against the cached record. Unknown IDs are remembered for
// UNKNOWN_TTL_MS, so a flood of forged key IDs costs at most one directory
// lookup per ID per isolate in that time. Both maps are bounded.
/** How long an unknown key ID is remembered (the issue allows at most 10 s). */
export const UNKNOWN_TTL_MS = 10_000;
/** At most one refresh per key per isolate in this time after a failed secret. */
export const REFRESH_INTERVAL_MS = 1_000;
const MAX_KNOWN = 10_000;
const MAX_UNKNOWN = 50_000;

/**
 * @typedef {import("./key-directory.js").DirectoryEntry & { fetchedAt: number }} CachedEntry
 */

/**
 * Reads one key ID's entry from the directory.
 * @typedef {(keyId: string) => Promise<import("./key-directory.js").DirectoryEntry | null>} Lookup
 */

export class KeyCache {
  /**
   * @param {{ maxKnown?: number, maxUnknown?: number }} [options]
   */
  constructor({ maxKnown = MAX_KNOWN, maxUnknown = MAX_UNKNOWN } = {}) {
    this.maxKnown = maxKnown;
    this.maxUnknown = maxUnknown;
    /** @type {Map<string, CachedEntry>} */
    this.known = new Map();
    /** @type {Map<string, number>} key ID -> epoch ms until which it is taken as unknown */
    this.unknown = new Map();
    /** @type {Map<string, Promise<CachedEntry | null>>} lookups under way: concurrent calls share one */
    this.pending = new Map();
  }

  /**
   * The directory entry of `keyId`, from the cache or the directory.
   * @param {Lookup} lookup
   * @param {string} keyId
   * @param {number} now
   * @returns {Promise<CachedEntry | null>}
   */
  async get(lookup, keyId, now) {
    const hit = this.known.get(keyId);
    if (hit !== undefined) {
      // Most recently used last, so eviction drops the least recently used.
      this.known.delete(keyId);
      this.known.set(keyId, hit);
      return hit;
    }
    const until = this.unknown.get(keyId);
    if (until !== undefined && until > now) return null;
    return this.refresh(lookup, keyId, now);
  }

  /**
   * Reads `keyId`'s entry from the directory again. Calls that ask while a
   * lookup of the same key is under way share its answer.
   * @param {Lookup} lookup
   * @param {string} keyId
   * @param {number} now
   * @returns {Promise<CachedEntry | null>}
   */
  refresh(lookup, keyId, now) {
    let pending = this.pending.get(keyId);
    if (pending === undefined) {
      pending = this.load(lookup, keyId, now).finally(() => this.pending.delete(keyId));
      this.pending.set(keyId, pending);
    }
    return pending;
  }

  /**
   * @param {Lookup} lookup
   * @param {string} keyId
   * @param {number} now
   * @returns {Promise<CachedEntry | null>}
   */
  async load(lookup, keyId, now) {
    const entry = await lookup(keyId);
    if (entry === null) {
      this.known.delete(keyId);
      if (this.unknown.size >= this.maxUnknown) this.evictUnknown(now);
      this.unknown.delete(keyId);
      this.unknown.set(keyId, now + UNKNOWN_TTL_MS);
      return null;
    }
    this.unknown.delete(keyId);
    if (this.known.size >= this.maxKnown) this.known.delete(/** @type {string} */ (this.known.keys().next().value));
    const cached = { ...entry, fetchedAt: now };
    this.known.delete(keyId);
    this.known.set(keyId, cached);
    return cached;
  }

  /**
   * Whether a failed secret may refresh `keyId`'s entry now: at most once
   * per REFRESH_INTERVAL_MS per key in this isolate. A yes claims the slot
   * (the entry counts as fetched now), so concurrent failures get one refresh.
   * @param {string} keyId
   * @param {number} now
   */
  claimRefresh(keyId, now) {
    const hit = this.known.get(keyId);
    if (hit !== undefined && now - hit.fetchedAt < REFRESH_INTERVAL_MS) return false;
    if (hit !== undefined) hit.fetchedAt = now;
    return true;
  }

  /** @param {string} keyId */
  forget(keyId) {
    this.known.delete(keyId);
  }

  /** @param {number} now */
  evictUnknown(now) {
    for (const [id, until] of this.unknown) if (until <= now) this.unknown.delete(id);
    // Still full: drop the oldest half (they expire first anyway).
    if (this.unknown.size >= this.maxUnknown) {
      let n = this.unknown.size / 2;
      for (const id of this.unknown.keys()) {
        if (n-- <= 0) break;
        this.unknown.delete(id);
      }
    }
  }
}
