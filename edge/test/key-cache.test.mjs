// The worker's per-isolate cache of key directory entries (src/key-cache.js),
// on its own, with a fake directory and a fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyCache, REFRESH_INTERVAL_MS, UNKNOWN_TTL_MS } from "../src/key-cache.js";

/** A fake directory: entries by key ID, and how often each was looked up. */
function directory(entries = {}) {
  const lookups = new Map();
  const lookup = async (keyId) => {
    lookups.set(keyId, (lookups.get(keyId) ?? 0) + 1);
    await null;
    return entries[keyId] ?? null;
  };
  return { entries, lookups, lookup };
}

const entry = (keyId, version = 1) => ({
  keyId,
  accountId: "acme",
  record: { keyId, secretHash: `$argon2id$v${version}`, access: "full", version, rehash: false },
});

test("an unknown key ID is looked up at most once per UNKNOWN_TTL_MS (at most 10 s)", async () => {
  assert.ok(UNKNOWN_TTL_MS > 0 && UNKNOWN_TTL_MS <= 10_000);
  const dir = directory();
  const cache = new KeyCache();
  const t = 1_000_000;
  for (let i = 0; i < 5; i++) assert.equal(await cache.get(dir.lookup, "PFK-forged", t + i), null);
  assert.equal(await cache.get(dir.lookup, "PFK-forged", t + UNKNOWN_TTL_MS - 1), null);
  assert.equal(dir.lookups.get("PFK-forged"), 1);
  // Past the TTL it is asked again (a key could have been created meanwhile).
  dir.entries["PFK-forged"] = entry("PFK-forged");
  assert.deepEqual((await cache.get(dir.lookup, "PFK-forged", t + UNKNOWN_TTL_MS)).record.version, 1);
  assert.equal(dir.lookups.get("PFK-forged"), 2);
});

test("concurrent calls for one key share one directory lookup", async () => {
  const dir = directory({ "PFK-a": entry("PFK-a") });
  const cache = new KeyCache();
  const results = await Promise.all([
    ...Array.from({ length: 20 }, () => cache.get(dir.lookup, "PFK-a", 0)),
    ...Array.from({ length: 20 }, () => cache.get(dir.lookup, "PFK-nobody", 0)),
  ]);
  assert.equal(results.filter((r) => r?.accountId === "acme").length, 20);
  assert.equal(results.filter((r) => r === null).length, 20);
  assert.deepEqual(Object.fromEntries(dir.lookups), { "PFK-a": 1, "PFK-nobody": 1 });
});

test("known keys are served from the cache; refresh reads the directory again; forget drops the key", async () => {
  const dir = directory({ "PFK-a": entry("PFK-a", 1) });
  const cache = new KeyCache();
  assert.equal((await cache.get(dir.lookup, "PFK-a", 0)).record.version, 1);
  dir.entries["PFK-a"] = entry("PFK-a", 2);
  assert.equal((await cache.get(dir.lookup, "PFK-a", 10 ** 9)).record.version, 1, "no TTL on known keys: the account object's version check tells when to refresh");
  assert.equal((await cache.refresh(dir.lookup, "PFK-a", 5)).record.version, 2);
  assert.equal((await cache.get(dir.lookup, "PFK-a", 6)).record.version, 2);
  assert.equal(dir.lookups.get("PFK-a"), 2);
  delete dir.entries["PFK-a"];
  cache.forget("PFK-a");
  assert.equal(await cache.get(dir.lookup, "PFK-a", 7), null);
  assert.equal(dir.lookups.get("PFK-a"), 3);
});

test("a failed secret may refresh a key at most once a second per isolate", async () => {
  assert.equal(REFRESH_INTERVAL_MS, 1_000);
  const dir = directory({ "PFK-a": entry("PFK-a") });
  const cache = new KeyCache();
  const t = 50_000;
  await cache.get(dir.lookup, "PFK-a", t);
  // A fetch for another reason does not count: a brand-new secret presented
  // right after the record was fetched gets its refresh.
  assert.equal(cache.claimRefresh("PFK-a", t + 10), true);
  assert.equal(cache.claimRefresh("PFK-a", t + 11), false, "the claim took the slot");
  await cache.refresh(dir.lookup, "PFK-a", t + 12);
  assert.equal(cache.claimRefresh("PFK-a", t + 10 + REFRESH_INTERVAL_MS - 1), false, "a refresh keeps the slot's time");
  assert.equal(cache.claimRefresh("PFK-a", t + 10 + REFRESH_INTERVAL_MS), true);
  assert.equal(cache.claimRefresh("PFK-a", t + 10 + 2 * REFRESH_INTERVAL_MS - 1), false);
});

test("both maps are bounded; the least recently used known key goes first", async () => {
  const dir = directory(Object.fromEntries(["k1", "k2", "k3", "k4"].map((k) => [k, entry(k)])));
  const cache = new KeyCache({ maxKnown: 3, maxUnknown: 4 });
  for (const k of ["k1", "k2", "k3"]) await cache.get(dir.lookup, k, 0);
  await cache.get(dir.lookup, "k1", 1); // k1 used again: k2 is now the oldest
  await cache.get(dir.lookup, "k4", 2);
  assert.deepEqual([...cache.known.keys()].sort(), ["k1", "k3", "k4"]);
  for (let i = 0; i < 20; i++) await cache.get(dir.lookup, `forged-${i}`, 3);
  assert.ok(cache.unknown.size <= 4, `${cache.unknown.size} unknown IDs kept`);
});
