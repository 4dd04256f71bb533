// The per-isolate cache of the key directory: key ID -> the directory's
// entry (the owning account and the key's record), and a negative cache of
// key IDs the directory does not know.
//
// Entries are refreshed from the directory when the account object says the
// cached record is stale, and (at most once a second per key) when a secret
// fails against the cached record. Unknown IDs are remembered for
// UNKNOWN_TTL_MS, so a flood of forged key IDs costs at most one directory
// lookup per ID per isolate in that time. Both maps are bounded.
import { directoryOf } from "./account-object.js";

/** How long an unknown key ID is remembered (the issue allows at most 10 s). */
export const UNKNOWN_TTL_MS = 10_000;
/** At most one refresh per key per isolate in this time after a failed secret. */
export const REFRESH_INTERVAL_MS = 1_000;
const MAX_KNOWN = 10_000;
const MAX_UNKNOWN = 50_000;

/**
 * @typedef {import("./key-directory.js").DirectoryEntry & { fetchedAt: number }} CachedEntry
 */

export class KeyCache {
  constructor() {
    /** @type {Map<string, CachedEntry>} */
    this.known = new Map();
    /** @type {Map<string, number>} key ID -> epoch ms until which it is taken as unknown */
    this.unknown = new Map();
  }

  /**
   * The directory entry of `keyId`, from the cache or the directory.
   * @param {import("./worker.js").Env} env
   * @param {string} keyId
   * @param {number} now
   * @returns {Promise<CachedEntry | null>}
   */
  async get(env, keyId, now) {
    const hit = this.known.get(keyId);
    if (hit !== undefined) {
      // Most recently used last, so eviction drops the least recently used.
      this.known.delete(keyId);
      this.known.set(keyId, hit);
      return hit;
    }
    const until = this.unknown.get(keyId);
    if (until !== undefined && until > now) return null;
    return this.refresh(env, keyId, now);
  }

  /**
   * Reads `keyId`'s entry from the directory again.
   * @param {import("./worker.js").Env} env
   * @param {string} keyId
   * @param {number} now
   * @returns {Promise<CachedEntry | null>}
   */
  async refresh(env, keyId, now) {
    const entry = await directoryOf(env, keyId).lookup();
    if (entry === null) {
      this.known.delete(keyId);
      if (this.unknown.size >= MAX_UNKNOWN) this.evictUnknown(now);
      this.unknown.delete(keyId);
      this.unknown.set(keyId, now + UNKNOWN_TTL_MS);
      return null;
    }
    this.unknown.delete(keyId);
    if (this.known.size >= MAX_KNOWN) this.known.delete(/** @type {string} */ (this.known.keys().next().value));
    const cached = { ...entry, fetchedAt: now };
    this.known.delete(keyId);
    this.known.set(keyId, cached);
    return cached;
  }

  /**
   * Whether a failed secret may refresh `keyId`'s entry now (at most once
   * per REFRESH_INTERVAL_MS per key in this isolate).
   * @param {string} keyId
   * @param {number} now
   */
  mayRefresh(keyId, now) {
    const hit = this.known.get(keyId);
    return hit === undefined || now - hit.fetchedAt >= REFRESH_INTERVAL_MS;
  }

  /** @param {string} keyId */
  forget(keyId) {
    this.known.delete(keyId);
  }

  /** @param {number} now */
  evictUnknown(now) {
    for (const [id, until] of this.unknown) if (until <= now) this.unknown.delete(id);
    // Still full: drop the oldest half (they expire first anyway).
    if (this.unknown.size >= MAX_UNKNOWN) {
      let n = this.unknown.size / 2;
      for (const id of this.unknown.keys()) {
        if (n-- <= 0) break;
        this.unknown.delete(id);
      }
    }
  }
}
