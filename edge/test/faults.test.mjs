// Create, reset and delete stay consistent with the key directory under
// faults. The test build's fault points (src/faults.js) make the directory
// throw on register (before or after writing) and on unregister, and make the
// account object throw between two steps (which resets it to its last durable
// state, as a crash would). After each: no `ok` for a key that does not
// exist, no usable key without an entry, and no entry left once the alarm's
// retry period (DIRECTORY_RETRY_MS, short here) has passed.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, startEdge, sleep } from "./harness.mjs";

const RETRY_MS = 300;

let origin;
let edge;

before(async () => {
  origin = await startOrigin();
  edge = await startEdge({ origin: origin.url, vars: { DIRECTORY_RETRY_MS: String(RETRY_MS) } });
});

after(async () => {
  await edge?.dispose();
  await origin?.close();
});

afterEach(async () => {
  await (await edge.faults()).clear();
});

/** Arms fault points: { point: times }. */
async function arm(points) {
  const plan = await edge.faults();
  for (const [point, times] of Object.entries(points)) await plan.arm(point, times);
}

/** Key IDs for which an armed fault point threw, in order. */
async function keysAt(point) {
  const passes = JSON.parse(await (await edge.faults()).log());
  return passes.filter((p) => p.point === point && p.thrown).map((p) => p.detail);
}

/** How many times `keyId` went through `point` (thrown or not). */
async function passesOf(point, keyId) {
  const passes = JSON.parse(await (await edge.faults()).log());
  return passes.filter((p) => p.point === point && p.detail === keyId).length;
}

/** The account a key's directory entry names, or null. */
async function entryOf(e, keyId) {
  const entry = await (await e.directory(keyId)).lookup();
  return entry === null ? null : entry.accountId;
}

/** @param {string} accountId */
async function statsOf(e, accountId) {
  const s = await (await e.accountObject(accountId)).stats();
  return { outbox: [...s.outbox], alarmAt: s.alarmAt, authorize: s.authorize, exists: s.exists };
}

/** Polls `check` until it is true (the alarm works in the background). */
async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await sleep(50);
  }
}

/** Status of one API call with `key` through each worker. */
async function statuses(e, key) {
  const out = [];
  for (const client of [e.client, e.clientB]) {
    const res = await client.api("/v1/forms", { key });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

/**
 * The invariant: every key the account lists has an entry naming the account
 * and nothing waits in the outbox, once the retries are done.
 */
async function assertConsistent(accountId) {
  await eventually(async () => (await statsOf(edge, accountId)).outbox.length === 0, "an empty outbox");
  const list = await edge.client.listKeys(accountId);
  for (const k of list.keys) assert.equal(await entryOf(edge, k.keyId), accountId, `${k.name} has its entry`);
  return list;
}

test("the directory throws on register: create answers 503, and there is no key and no entry", async () => {
  const account = await edge.client.newAccount("reg-fail");
  await arm({ "directory.register": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "never" });
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, "DIRECTORY_UNAVAILABLE");
  assert.equal(JSON.stringify(res.body).includes("pfs_"), false, "no secret for a key that does not exist");
  const [keyId] = await keysAt("directory.register");
  assert.ok(keyId, "the register was attempted");
  assert.equal(await entryOf(edge, keyId), null);
  assert.deepEqual((await assertConsistent(account)).keys, [], "the key was rolled back");
  // The slot is free: a later create works and its key works.
  const key = await edge.client.createKey(account, { name: "after" });
  assert.deepEqual(await statuses(edge, key), [200, 200]);
  await assertConsistent(account);
});

test("the directory writes the entry but the reply is lost: the rollback unregisters it", async () => {
  const account = await edge.client.newAccount("reg-lost");
  await arm({ "directory.register.after": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "lost" });
  assert.equal(res.status, 503);
  const [keyId] = await keysAt("directory.register.after");
  assert.equal(await entryOf(edge, keyId), null, "the rollback removed the entry at once");
  assert.deepEqual((await assertConsistent(account)).keys, []);
});

test("register and the rollback's unregister both fail: the alarm removes the entry within a retry period", async () => {
  const account = await edge.client.newAccount("reg-unreg");
  await arm({ "directory.register.after": 1, "directory.unregister": 1 });
  const failedAt = Date.now();
  const res = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "orphan" });
  assert.equal(res.status, 503);
  const [keyId] = await keysAt("directory.register.after");
  const stats = await statsOf(edge, account);
  // Either the alarm has already run, or the entry waits for it, at most one period away.
  if (stats.outbox.length > 0) {
    assert.deepEqual(stats.outbox, [keyId]);
    assert.ok(stats.alarmAt !== null && stats.alarmAt <= Date.now() + RETRY_MS, "the retry is at most one period away");
    assert.ok(stats.alarmAt >= failedAt);
  }
  await eventually(async () => (await entryOf(edge, keyId)) === null, "the orphan entry is removed by the alarm");
  assert.deepEqual((await assertConsistent(account)).keys, []);
  assert.ok((await passesOf("directory.unregister", keyId)) >= 2, "the unregister was retried");
});

test("the account object fails between register and save: no key, and the alarm removes the entry", async () => {
  const account = await edge.client.newAccount("crash-create");
  const survivor = await edge.client.createKey(account, { name: "survivor" });
  await arm({ "account.create.registered": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "crashed" });
  assert.notEqual(res.status, 201, "no ok");
  assert.ok(res.status >= 500);
  assert.equal(JSON.stringify(res.body).includes("pfs_"), false);
  const [keyId] = await keysAt("account.create.registered");
  await eventually(async () => (await entryOf(edge, keyId)) === null, "the entry of the key that was never saved is removed");
  const list = await assertConsistent(account);
  assert.deepEqual(list.keys.map((k) => k.name), ["survivor"], "the object came back with its durable state");
  assert.deepEqual(await statuses(edge, survivor), [200, 200], "and the other keys still work");
});

test("the directory fails to unregister a deleted key: the key is refused at once, the alarm removes the entry", async () => {
  const account = await edge.client.newAccount("unreg-fail");
  const key = await edge.client.createKey(account, { name: "doomed" });
  assert.deepEqual(await statuses(edge, key), [200, 200]);
  await arm({ "directory.unregister": 2 });
  const del = await edge.client.admin("DELETE", `accounts/${account}/keys/${key.keyId}`);
  assert.equal(del.status, 204);
  assert.deepEqual(await statuses(edge, key), [401, 401], "refused from the next call on");
  await eventually(async () => (await entryOf(edge, key.keyId)) === null, "the entry is removed by the alarm");
  assert.equal(await passesOf("directory.unregister", key.keyId), 3, "two failures, then the retry that worked");
  assert.deepEqual((await assertConsistent(account)).keys, []);
  assert.deepEqual(await statuses(edge, key), [401, 401]);
});

test("the account object fails between the delete's save and the unregister: the key stays deleted, the entry goes", async () => {
  const account = await edge.client.newAccount("crash-delete");
  const key = await edge.client.createKey(account, { name: "doomed" });
  await arm({ "account.delete.saved": 1 });
  const del = await edge.client.admin("DELETE", `accounts/${account}/keys/${key.keyId}`);
  assert.ok(del.status >= 500, "the caller is told it failed");
  // The deletion was durable before the fault: the key is gone for good.
  assert.deepEqual(await statuses(edge, key), [401, 401]);
  await eventually(async () => (await entryOf(edge, key.keyId)) === null, "the entry is removed by the alarm");
  assert.deepEqual((await assertConsistent(account)).keys, []);
  const again = await edge.client.admin("DELETE", `accounts/${account}/keys/${key.keyId}`);
  assert.equal(again.status, 404);
});

test("deleting an account while the directory fails: its keys are refused at once, every entry goes", async () => {
  const account = await edge.client.newAccount("drop-fail");
  const keys = [];
  for (const name of ["a", "b", "c"]) keys.push(await edge.client.createKey(account, { name }));
  await arm({ "directory.unregister": 2, "account.drop.saved": 0 });
  const del = await edge.client.admin("DELETE", `accounts/${account}`);
  assert.equal(del.status, 204);
  for (const key of keys) assert.deepEqual(await statuses(edge, key), [401, 401]);
  for (const key of keys) {
    await eventually(async () => (await entryOf(edge, key.keyId)) === null, `the entry of ${key.keyId} is removed`);
  }
  await eventually(async () => (await statsOf(edge, account)).outbox.length === 0, "nothing left to retry");
  assert.equal((await edge.client.admin("GET", `accounts/${account}`)).status, 404);
});

test("the account object fails right after an account's removal: the account stays removed, every entry goes", async () => {
  const account = await edge.client.newAccount("crash-drop");
  const keys = [];
  for (const name of ["a", "b"]) keys.push(await edge.client.createKey(account, { name }));
  await arm({ "account.drop.saved": 1 });
  const del = await edge.client.admin("DELETE", `accounts/${account}`);
  assert.ok(del.status >= 500);
  for (const key of keys) assert.deepEqual(await statuses(edge, key), [401, 401]);
  for (const key of keys) {
    await eventually(async () => (await entryOf(edge, key.keyId)) === null, `the entry of ${key.keyId} is removed`);
  }
  assert.equal((await edge.client.admin("GET", `accounts/${account}`)).status, 404);
});

test("a directory entry whose account no longer has the key is removed when it is next used", async () => {
  // A long retry period: only the use can explain a quick removal.
  const slow = await startEdge({ origin: origin.url, vars: { DIRECTORY_RETRY_MS: "600000" } });
  try {
    const account = await slow.client.newAccount("stale");
    const key = await slow.client.createKey(account, { name: "stale" });
    const plan = await slow.faults();
    await plan.arm("directory.unregister", 1);
    assert.equal((await slow.client.admin("DELETE", `accounts/${account}/keys/${key.keyId}`)).status, 204);
    assert.equal(await entryOf(slow, key.keyId), account, "the unregister failed: the entry is stale");
    const stats = await statsOf(slow, account);
    assert.ok(stats.alarmAt > Date.now() + 60_000, "the next retry is far away");

    const res = await slow.clientB.api("/v1/forms", { key });
    assert.equal(res.status, 401);
    await res.arrayBuffer();
    await eventually(async () => (await entryOf(slow, key.keyId)) === null, "the stale entry is removed after its use", 5_000);
  } finally {
    await slow.dispose();
  }
});

/** The version of a key's record in the directory. */
async function versionOf(e, keyId) {
  return (await (await e.directory(keyId)).lookup())?.record?.version ?? null;
}

/** Both workers have the key's record cached (and the call counted). */
async function warm(key) {
  assert.deepEqual(await statuses(edge, key), [200, 200]);
}

test("the directory throws during a reset: 503, nothing changed, the old secret still works", async () => {
  const account = await edge.client.newAccount("reset-reg");
  const key = await edge.client.createKey(account, { name: "rotating" });
  await warm(key);
  const before = await versionOf(edge, key.keyId);
  await arm({ "directory.register": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`);
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, "DIRECTORY_UNAVAILABLE");
  assert.equal(JSON.stringify(res.body).includes("pfs_"), false, "no new secret");
  assert.equal(await versionOf(edge, key.keyId), before);
  assert.deepEqual(await statuses(edge, key), [200, 200]);
  await assertConsistent(account);
});

test("a reset's directory update is written but its reply lost: the rollback publishes the old record again", async () => {
  const account = await edge.client.newAccount("reset-lost");
  const key = await edge.client.createKey(account, { name: "rotating" });
  await warm(key);
  const before = await versionOf(edge, key.keyId);
  await arm({ "directory.register.after": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`);
  assert.equal(res.status, 503);
  assert.equal(await versionOf(edge, key.keyId), before, "the old record is back before the 503");
  assert.deepEqual(await statuses(edge, key), [200, 200]);
  await assertConsistent(account);
});

test("the account object fails between a reset's directory update and its save: the old secret stays, the old record comes back", async () => {
  const account = await edge.client.newAccount("reset-crash");
  const key = await edge.client.createKey(account, { name: "rotating" });
  await warm(key);
  const before = await versionOf(edge, key.keyId);
  await arm({ "account.reset.pushed": 1 });
  const res = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`);
  assert.ok(res.status >= 500);
  assert.equal(JSON.stringify(res.body).includes("pfs_"), false);
  await eventually(async () => (await versionOf(edge, key.keyId)) === before, "the alarm publishes the durable (old) record");
  await assertConsistent(account);
  assert.deepEqual(await statuses(edge, key), [200, 200], "the reset never happened");
  // And a reset now works.
  const reset = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`);
  assert.equal(reset.status, 200);
  assert.notEqual(await versionOf(edge, key.keyId), before);
  assert.deepEqual(await statuses(edge, { keyId: key.keyId, secret: reset.body.secret }), [200, 200]);
  assert.deepEqual(await statuses(edge, key), [401, 401]);
});

test("an entry without a record (written before the directory held records) is served by the full authorize and gets its record", async () => {
  const account = await edge.client.newAccount("legacy");
  const key = await edge.client.createKey(account, { name: "old" });
  const directory = await edge.directory(key.keyId);
  const record = (await directory.lookup()).record;
  assert.equal(await directory.register(account, null), true);
  assert.equal((await directory.lookup()).record, null);
  const before = await statsOf(edge, account);
  const res = await edge.clientB.api("/v1/forms", { key });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  await eventually(async () => (await directory.lookup()).record !== null, "the record is published");
  assert.deepEqual((await directory.lookup()).record, record);
  const after = await (await edge.accountObject(account)).stats();
  assert.equal(after.authorize - before.authorize, 1, "the legacy call went to the full authorize");
});
