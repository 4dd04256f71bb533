// The per-isolate cache of the key directory: key ID -> the directory's
// entry (the owning account and the key's record), and a negative cache of
// key IDs the directory does not know.
//
// Entries are refreshed from the directory when the account object says the
// cached record is stale, and (at most once a second per key) when a secret
// fails against the cached record: so a brand-new secret (after a reset) is
// refused by an isolate for at most a second, and only if a wrong secret for
// that key was refreshed there within the second before. Unknown IDs are remembered for
// UNKNOWN_TTL_MS, so a flood of forged key IDs costs at most one directory
// lookup per ID per isolate in that time. Both maps are bounded.
/** How long an unknown key ID is remembered (the issue allows at most 10 s). */
export const UNKNOWN_TTL_MS = 10_000;
/** At most one refresh per key per isolate in this time after a failed secret. */
export const REFRESH_INTERVAL_MS = 1_000;
const MAX_KNOWN = 10_000;
const MAX_UNKNOWN = 50_000;

/**
 * A cached entry: when it was fetched, and when a failed secret last
 * refreshed it (null: never).
 * @typedef {import("./key-directory.js").DirectoryEntry & { fetchedAt: number, failRefreshAt: number | null }} CachedEntry
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
    return this.put(keyId, entry, now);
  }

  /**
   * Caches an entry (from the directory, or a record an account object
   * answered with).
   * @param {string} keyId
   * @param {import("./key-directory.js").DirectoryEntry} entry
   * @param {number} now
   * @returns {CachedEntry}
   */
  put(keyId, entry, now) {
    this.unknown.delete(keyId);
    const previous = this.known.get(keyId);
    this.known.delete(keyId);
    if (this.known.size >= this.maxKnown) this.known.delete(/** @type {string} */ (this.known.keys().next().value));
    /** @type {CachedEntry} */
    const cached = { ...entry, fetchedAt: now, failRefreshAt: previous?.failRefreshAt ?? null };
    this.known.set(keyId, cached);
    return cached;
  }

  /**
   * Whether a failed secret may refresh `keyId`'s entry now: at most once
   * per REFRESH_INTERVAL_MS per key in this isolate (fetches for other
   * reasons do not count). A yes claims the slot, so concurrent failures get
   * one refresh.
   * @param {string} keyId
   * @param {number} now
   */
  claimRefresh(keyId, now) {
    const hit = this.known.get(keyId);
    if (hit === undefined) return true;
    if (hit.failRefreshAt !== null && now - hit.failRefreshAt < REFRESH_INTERVAL_MS) return false;
    hit.failRefreshAt = now;
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
