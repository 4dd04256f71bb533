// History, audit trail, editing and state version 2, through the npm package
// as users import it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { Account, encodeBasic } from "apikeys";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const admin = { role: "admin", id: "alice@example.com" };
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, "ApiKeyError");
    return e.code;
  }
  assert.fail("expected a throw");
}

test("usage: days oldest first, per-key calls and refusals add up to the total", () => {
  const account = new Account({ dailyCalls: 3 });
  const full = account.createKey(admin, { name: "Full" }, T0);
  const ro = account.createKey(admin, { name: "Reader", readOnly: true }, T0);
  const gone = account.createKey(admin, { name: "Gone" }, T0);
  const h = (k) => encodeBasic(k.keyId, k.secret);
  // Day 1: two calls of Full, one of Gone, one read-only refusal, one quota refusal.
  assert.ok(account.authorize(h(full), "POST", T0 + 1).ok);
  assert.ok(account.authorize(h(full), "GET", T0 + 2).ok);
  assert.ok(account.authorize(h(gone), "GET", T0 + 3).ok);
  assert.equal(account.authorize(h(ro), "POST", T0 + 4).code, "READ_ONLY_KEY");
  assert.equal(account.authorize(h(ro), "GET", T0 + 5).code, "DAILY_LIMIT_EXCEEDED");
  // 401s are never written.
  assert.equal(account.authorize(encodeBasic(full.keyId, gone.secret), "GET", T0 + 6).code, "INVALID_SECRET");
  account.deleteKey(admin, gone.keyId, T0 + 7);
  // Day 2: one call of Reader.
  assert.ok(account.authorize(h(ro), "GET", T0 + DAY + 1).ok);

  const u = account.usage(admin, { days: 3 }, T0 + DAY + 10);
  assert.equal(u.dailyLimit, 3);
  assert.deepEqual(u.days.map((d) => [d.start, d.end]),
    [[T0 - DAY, T0], [T0, T0 + DAY], [T0 + DAY, T0 + 2 * DAY]]);
  const [before, day1, day2] = u.days;
  assert.deepEqual(before, {
    start: T0 - DAY, end: T0, total: 0, deletedCalls: 0,
    keys: [full, ro].map((k) => ({
      keyId: k.keyId, name: k.name, calls: 0,
      refused: { READ_ONLY_KEY: 0, DAILY_LIMIT_EXCEEDED: 0, CONCURRENCY_LIMIT_EXCEEDED: 0 },
    })),
  });
  assert.equal(day1.total, 3);
  assert.equal(day1.deletedCalls, 1);
  assert.deepEqual(day1.keys.map((k) => [k.name, k.calls]), [["Full", 2], ["Reader", 0]]);
  assert.deepEqual(day1.keys[1].refused, { READ_ONLY_KEY: 1, DAILY_LIMIT_EXCEEDED: 1, CONCURRENCY_LIMIT_EXCEEDED: 0 });
  assert.equal(day2.total, 1);
  for (const d of u.days) {
    assert.equal(d.keys.reduce((s, k) => s + k.calls, 0) + d.deletedCalls, d.total);
  }
  // The current window's total is the quota's.
  assert.equal(day2.total, account.listKeys(admin, T0 + DAY + 10).callsToday);

  assert.equal(account.usage(admin, undefined, T0).days.length, 30, "30 days by default");
  assert.equal(account.usage(admin, {}, T0).days.length, 30);
  assert.equal(account.usage(admin, { days: 90 }, T0).days.length, 90);
  for (const bad of [{ days: 0 }, { days: 91 }, { days: 1.5 }, { days: "7" }, { day: 7 }, 7, "x"]) {
    assert.equal(codeOf(() => account.usage(admin, bad, T0)), "INVALID_INPUT", JSON.stringify(bad));
  }
  assert.equal(codeOf(() => account.usage({ role: "user" }, { days: 1 }, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.usage(admin, { days: 1 }, NaN)), "INVALID_TIME");
});

test("updateKey edits name, description and access; access applies from the next call", () => {
  const account = new Account();
  const k = account.createKey(admin, { name: "App", description: "first" }, T0);
  const h = encodeBasic(k.keyId, k.secret);
  const lease = account.authorize(h, "POST", T0 + 1).leaseId;
  const v0 = account.keyRecord?.(k.keyId)?.version;

  const row = account.updateKey(admin, k.keyId, { name: "  Renamed ", readOnly: true }, T0 + 2);
  assert.equal(row.name, "Renamed");
  assert.equal(row.description, "first", "absent fields stay");
  assert.equal(row.access, "read-only");
  assert.equal(row.callCount, 1);
  assert.deepEqual(Object.keys(row).sort(), Object.keys(account.listKeys(admin, T0 + 2).keys[0]).sort(),
    "the row of listKeys");
  assert.equal(account.authorize(h, "POST", T0 + 3).code, "READ_ONLY_KEY");
  assert.ok(account.authorize(h, "GET", T0 + 3).ok);
  assert.equal(account.release(lease, T0 + 4), true, "a call in flight finishes");
  if (v0 !== undefined) assert.notEqual(account.keyRecord(k.keyId).version, v0, "the record's version changes");

  assert.equal(account.updateKey(admin, k.keyId, { description: null }, T0 + 5).description, "");
  assert.equal(account.updateKey(admin, k.keyId, {}, T0 + 5).name, "Renamed");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { name: " " }, T0)), "INVALID_NAME");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { name: null }, T0)), "INVALID_NAME");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { description: "x".repeat(501) }, T0)), "INVALID_DESCRIPTION");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { readonly: true }, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { readOnly: "yes" }, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, { readOnly: null }, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, null, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.updateKey(admin, "PFK-nope", {}, T0)), "UNKNOWN_KEY");
  assert.equal(codeOf(() => account.updateKey({ role: "user" }, k.keyId, {}, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.updateKey(admin, k.keyId, {}, -1)), "INVALID_TIME");
  // A refused edit changes nothing.
  assert.equal(account.listKeys(admin, T0 + 6).keys[0].name, "Renamed");
});

test("auditLog: newest first, who and what, never a secret or a hash", () => {
  const account = new Account();
  const operator = { role: "admin", id: "operator" };
  const k = account.createKey(admin, { name: "App", readOnly: true }, T0);
  account.updateKey(operator, k.keyId, { name: "App 2", description: "d", readOnly: false }, T0 + 1);
  account.updateKey(operator, k.keyId, { name: "App 2" }, T0 + 1); // no change: no event
  const reset = account.resetSecret({ role: "admin" }, k.keyId, T0 + 2);
  account.deleteKey(admin, k.keyId, T0 + 3);
  const log = account.auditLog(admin, T0 + 4);
  assert.deepEqual(log.map((e) => [e.action, e.at]),
    [["key.deleted", T0 + 3], ["secret.reset", T0 + 2], ["key.updated", T0 + 1], ["key.created", T0]]);
  assert.deepEqual(log[3], {
    at: T0, actor: admin, action: "key.created", keyId: k.keyId, name: "App",
    changes: { access: { to: "read-only" } },
  });
  assert.deepEqual(log[2].changes, {
    name: { from: "App", to: "App 2" }, description: {}, access: { from: "read-only", to: "full" },
  });
  assert.deepEqual(log[2].actor, operator);
  assert.deepEqual(log[1].actor, { role: "admin" }, "no id given, none recorded");
  assert.equal(log[0].name, "App 2");
  const text = JSON.stringify([log, account.toJSON().audit]);
  for (const s of [k.secret, reset.secret]) assert.ok(!text.includes(s.slice(4, 20)));
  assert.ok(!text.includes("$argon2"), "no hash");
  assert.equal(codeOf(() => account.auditLog({ role: "user" }, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.auditLog(admin, "now")), "INVALID_TIME");
  // Refused operations are not events.
  assert.equal(codeOf(() => account.createKey({ role: "user", id: "mallory" }, { name: "x" }, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.deleteKey(admin, k.keyId, T0 + 5)), "UNKNOWN_KEY");
  assert.equal(account.auditLog(admin, T0 + 6).length, 4);
  // An actor ID that could not be stored whole is refused, not cut.
  assert.equal(codeOf(() => account.createKey({ role: "admin", id: "x".repeat(65) }, { name: "x" }, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.createKey({ role: "admin", id: 7 }, { name: "x" }, T0)), "INVALID_INPUT");
});

test("the audit trail keeps the last 200 events", () => {
  const account = new Account();
  const k = account.createKey(admin, { name: "App" }, T0);
  for (let i = 1; i <= 250; i++) account.updateKey(admin, k.keyId, { name: `App ${i}` }, T0 + i);
  const log = account.auditLog(admin, T0 + 300);
  assert.equal(log.length, 200);
  assert.equal(log[0].name, "App 250");
  assert.equal(log[199].name, "App 51");
  assert.equal(Account.fromJSON(JSON.stringify(account)).auditLog(admin, T0 + 300).length, 200);
});

test("state version 2; version-1 states (the committed fixture) still load", () => {
  const account = new Account();
  assert.equal(account.toJSON().version, 2);
  const v1 = JSON.parse(fixture("state-v1.json"));
  assert.equal(v1.version, 1);
  for (const input of [v1, JSON.stringify(v1)]) {
    const a = Account.fromJSON(input);
    const now = Date.UTC(2026, 0, 2, 6);
    const list = a.listKeys(admin, now);
    assert.deepEqual(list.keys.map((k) => [k.name, k.callCount]),
      [["Salesforce Integration", 1], ["Custom Reporting App", 3]]);
    assert.equal(list.callsToday, 6);
    const state = a.toJSON();
    assert.equal(state.version, 2);
    assert.deepEqual(a.auditLog(admin, now), [], "no events before version 2");
    assert.ok(a.usage(admin, { days: 90 }, now).days.every((d) => d.total === 0), "no history before version 2");
    // The migrated account works: the fixture's read-only key calls.
    const reader = "Basic UEZLLTcyZmQ5MjYxLTE4NjAtNDgxYS1iN2E5LWNlNDM0ZTY0ZmZmZjpwZnNfTG81WGc3UVpzMnZCZVYxbmhwQTN2eDk4Z0h1ZUZ4VlIzR2QwSFJQQlhVejJLYmZJUw==";
    assert.ok(a.authorize(reader, "GET", now).ok);
    assert.equal(a.usage(admin, { days: 1 }, now).days[0].keys[1].calls, 1);
    assert.deepEqual(Account.fromJSON(JSON.stringify(a)).toJSON(), a.toJSON());
  }
  // A version-1 state with version-2 fields is neither.
  assert.equal(codeOf(() => Account.fromJSON({ ...v1, audit: [] })), "INVALID_STATE");
  assert.equal(codeOf(() => Account.fromJSON({ ...v1, version: 3 })), "INVALID_STATE");
});
