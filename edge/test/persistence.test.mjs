// With Durable Object storage in a folder on disk, keys, counts, resets,
// deletions and leases survive a restart of the runtime: Miniflare's dispose
// kills workerd (SIGKILL, like a crash), then a new Miniflare starts a new
// workerd process on the same folder.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { startOrigin, startEdge, storageFolder } from "./harness.mjs";

const folder = storageFolder("disk");
let origin;
let edge;

after(async () => {
  await edge?.dispose();
  await origin?.close();
  rmSync(folder, { recursive: true, force: true });
});

test("keys and counts survive a restart of the runtime", async () => {
  origin = await startOrigin();
  edge = await startEdge({ origin: origin.url, persist: folder });
  const account = await edge.client.newAccount("persist");
  const other = await edge.client.newAccount("persist-other");
  const full = await edge.client.createKey(account, { name: "Full", description: "kept" });
  const readOnly = await edge.client.createKey(account, { name: "Viewer", readOnly: true });
  const doomed = await edge.client.createKey(account, { name: "Doomed" });
  const otherKey = await edge.client.createKey(other, { name: "Elsewhere" });

  const call = async (e, key, method = "GET") => {
    const res = await e.client.api("/v1/items", { key, method });
    await res.arrayBuffer();
    return res.status;
  };
  for (let i = 0; i < 5; i++) assert.equal(await call(edge, full), 200);
  for (let i = 0; i < 2; i++) assert.equal(await call(edge, readOnly), 200);
  assert.equal(await call(edge, doomed), 200);
  assert.equal(await call(edge, otherKey), 200);
  const reset = await edge.client.admin("POST", `accounts/${account}/keys/${full.keyId}/reset`);
  assert.equal(reset.status, 200);
  const renewed = { keyId: full.keyId, secret: reset.body.secret };
  assert.equal((await edge.client.admin("DELETE", `accounts/${account}/keys/${doomed.keyId}`)).status, 204);
  // A call in flight when the runtime dies: admitted (counted, lease taken),
  // never released. The count must survive, and the lease until its TTL.
  const inFlight = edge.client.api("/hold/persist-1", { key: readOnly });
  await origin.waitHeld(1);
  const before = await edge.client.listKeys(account);
  assert.equal(before.callsToday, 9);
  assert.deepEqual(
    before.keys.map((k) => [k.name, k.callCount, k.activeConnections]),
    [["Full", 5, 0], ["Viewer", 3, 1]],
  );

  // Restart: kill workerd, start a new one on the same storage folder.
  await edge.dispose();
  await inFlight.then((r) => r.text()).catch(() => {});
  edge = await startEdge({ origin: origin.url, persist: folder });

  assert.deepEqual(await edge.client.listKeys(account), before, "the keys page is exactly as before");
  assert.equal((await edge.client.listKeys(other)).callsToday, 1);

  // Through both workers (fresh isolates: every key is looked up in the directory).
  assert.equal(await call(edge, full), 401, "the secret replaced before the restart stays refused");
  const status = { renewed: await call(edge, renewed), viewer: await call(edge, readOnly) };
  assert.deepEqual(status, { renewed: 200, viewer: 200 });
  assert.equal(await call(edge, readOnly, "POST"), 403);
  const gone = await edge.clientB.api("/v1/items", { key: doomed });
  assert.equal(gone.status, 401, "the key deleted before the restart stays refused");
  await gone.arrayBuffer();

  const afterRestart = await edge.client.listKeys(account);
  assert.equal(afterRestart.callsToday, 11, "counting went on from 9");
  assert.equal(afterRestart.remainingToday, 2_489);
  assert.deepEqual(
    afterRestart.keys.map((k) => [k.name, k.callCount, k.activeConnections]),
    [["Full", 6, 0], ["Viewer", 4, 1]],
    "the lease of the call cut off by the crash is held until its TTL",
  );

  // The freed slot is still free, and the limit of 3 still holds.
  assert.equal((await edge.client.admin("POST", `accounts/${account}/keys`, { name: "Third" })).status, 201);
  const fourth = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "Fourth" });
  assert.equal(fourth.status, 409);
});
