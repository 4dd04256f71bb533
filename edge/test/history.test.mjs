// The account history through the management API: PATCH a key, the usage
// per day and the audit trail, with the acting admin (a JWT's sub, or
// "operator") recorded by the package.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { Account, generateKeyId } from "apikeys";
import { startOrigin, startEdge, accountToken } from "./harness.mjs";

const HISTORY = ["usage", "auditLog", "updateKey"].every((m) => typeof Account.prototype[m] === "function");
const skip = !HISTORY && "needs the core's usage, auditLog and updateKey (not on main yet)";

let origin;
let edge;

before(async () => {
  if (!HISTORY) return;
  origin = await startOrigin();
  edge = await startEdge({ origin: origin.url, vars: { DIRECTORY_RETRY_MS: "300" } });
});

after(async () => {
  await edge?.dispose();
  await origin?.close();
});

afterEach(async () => {
  if (edge) await (await edge.faults()).clear();
});

/** The code of one API call's answer ("OK" for 200). */
async function call(client, key, method = "GET") {
  const res = await client.api("/v1/forms", { key, method, body: method === "GET" ? undefined : "{}" });
  const text = await res.text();
  return res.status === 200 ? "OK" : JSON.parse(text).error.code;
}

test("PATCH edits a key; read-only is enforced from the next call through either worker", { skip }, async () => {
  const account = await edge.client.newAccount("patch");
  const key = await edge.client.createKey(account, { name: "Sync" });
  for (const client of [edge.client, edge.clientB]) assert.equal(await call(client, key, "POST"), "OK");
  const alice = `Bearer ${await accountToken({ account, sub: "alice@example.com" })}`;

  const patched = await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readOnly: true, name: "Sync (read)" }, alice);
  assert.equal(patched.status, 200);
  assert.equal(patched.body.keyId, key.keyId);
  assert.equal(patched.body.access, "read-only");
  assert.equal(patched.body.name, "Sync (read)");
  // Both workers cached the "full" record: the account object's version check refuses it.
  for (const client of [edge.clientB, edge.client]) {
    assert.equal(await call(client, key, "POST"), "READ_ONLY_KEY");
    assert.equal(await call(client, key, "GET"), "OK");
  }

  const back = await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readOnly: false });
  assert.equal(back.body.access, "full");
  assert.equal(await call(edge.clientB, key, "POST"), "OK");

  assert.equal((await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readonly: true })).status, 400);
  assert.equal((await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { name: "" })).body.error.code, "INVALID_NAME");
  const unknown = await edge.client.admin("PATCH", `accounts/${account}/keys/${generateKeyId()}`, { name: "x" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, "UNKNOWN_KEY");
  const user = `Bearer ${await accountToken({ account, sub: "bob", role: "user" })}`;
  assert.equal((await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { name: "bob's" }, user)).status, 403);
});

test("a PATCH whose directory update fails changes nothing", { skip }, async () => {
  const account = await edge.client.newAccount("patch-fault");
  const key = await edge.client.createKey(account, { name: "Sync" });
  for (const client of [edge.client, edge.clientB]) assert.equal(await call(client, key, "POST"), "OK");
  const plan = await edge.faults();
  await plan.arm("directory.register", 1);
  const failed = await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readOnly: true });
  assert.equal(failed.status, 503);
  await plan.arm("account.update.pushed", 1);
  const crashed = await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readOnly: true });
  assert.ok(crashed.status >= 500);
  // The durable record (full) is published again by the alarm.
  for (let i = 0; i < 100; i++) {
    const entry = await (await edge.directory(key.keyId)).lookup();
    if (entry.record.access === "full") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await (await edge.directory(key.keyId)).lookup()).record.access, "full");
  assert.equal((await edge.client.listKeys(account)).keys[0].access, "full");
  for (const client of [edge.client, edge.clientB]) assert.equal(await call(client, key, "POST"), "OK");
});

test("usage: calls and refusals per key and per day", { skip }, async () => {
  const account = await edge.client.newAccount("usage", { dailyCalls: 3 });
  const full = await edge.client.createKey(account, { name: "Full" });
  const viewer = await edge.client.createKey(account, { name: "Viewer", readOnly: true });
  assert.deepEqual(
    [await call(edge.client, full), await call(edge.clientB, full), await call(edge.client, viewer)],
    ["OK", "OK", "OK"],
  );
  assert.equal(await call(edge.clientB, full), "DAILY_LIMIT_EXCEEDED");
  assert.equal(await call(edge.client, viewer, "POST"), "READ_ONLY_KEY");
  // Failed authentications are not usage.
  assert.equal(await call(edge.client, { keyId: full.keyId, secret: viewer.secret }), "INVALID_CREDENTIALS");

  const alice = `Bearer ${await accountToken({ account, sub: "alice" })}`;
  const r = await edge.client.admin("GET", `accounts/${account}/usage?days=2`, undefined, alice);
  assert.equal(r.status, 200);
  assert.equal(r.body.dailyLimit, 3);
  assert.equal(r.body.days.length, 2);
  const today = r.body.days.at(-1);
  assert.equal(today.total, 3);
  const row = (id) => today.keys.find((k) => k.keyId === id);
  assert.equal(row(full.keyId).calls, 2);
  assert.equal(row(full.keyId).refused.DAILY_LIMIT_EXCEEDED, 1);
  assert.equal(row(viewer.keyId).calls, 1);
  assert.equal(row(viewer.keyId).refused.READ_ONLY_KEY, 1);
  assert.equal(today.keys.reduce((n, k) => n + k.calls, 0) + today.deletedCalls, today.total);

  assert.equal((await edge.client.admin("GET", `accounts/${account}/usage?days=abc`)).status, 400);
  assert.equal((await edge.client.admin("POST", `accounts/${account}/usage`)).status, 405);
  const other = `Bearer ${await accountToken({ account: "someone-else", sub: "eve" })}`;
  assert.equal((await edge.client.admin("GET", `accounts/${account}/usage`, undefined, other)).status, 404);
});

test("audit: who did what, newest first, with no secret", { skip }, async () => {
  const account = await edge.client.newAccount("audit");
  const alice = `Bearer ${await accountToken({ account, sub: "alice@example.com" })}`;
  const key = await edge.client.createKey(account, { name: "By the operator" });
  const reset = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`, undefined, alice);
  assert.equal(reset.status, 200);
  assert.equal((await edge.client.admin("PATCH", `accounts/${account}/keys/${key.keyId}`, { readOnly: true }, alice)).status, 200);
  assert.equal((await edge.client.admin("PUT", `accounts/${account}`, { limits: { dailyCalls: 100 } })).status, 200);
  assert.equal((await edge.client.admin("DELETE", `accounts/${account}/keys/${key.keyId}`, undefined, alice)).status, 204);

  const r = await edge.client.admin("GET", `accounts/${account}/audit`, undefined, alice);
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.map((e) => [e.action, e.actor.id]),
    [
      ["key.deleted", "alice@example.com"],
      ["limits.changed", "operator"],
      ["key.updated", "alice@example.com"],
      ["secret.reset", "alice@example.com"],
      ["key.created", "operator"],
    ],
  );
  const text = JSON.stringify(r.body);
  for (const secret of [key.secret, reset.body.secret]) assert.ok(!text.includes(secret.slice(4, 20)), "no secret");
  assert.ok(!/argon2/.test(text), "no hash");
  const user = `Bearer ${await accountToken({ account, sub: "bob", role: "user" })}`;
  assert.equal((await edge.client.admin("GET", `accounts/${account}/audit`, undefined, user)).status, 403);
});
