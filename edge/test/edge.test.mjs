// The edge worker in real workerd: authentication, access, concurrency,
// reset and delete through two worker scripts, and the management endpoints.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyId, generateSecret } from "apikeys";
import { startOrigin, startEdge, sleep } from "./harness.mjs";

let origin;
let edge;

before(async () => {
  origin = await startOrigin();
  edge = await startEdge({ origin: origin.url });
});

after(async () => {
  await edge?.dispose();
  await origin?.close();
});

/** The decision code a refusal's body shows the client. */
async function errorOf(res) {
  const body = await res.json();
  return body.error.code;
}

test("happy path: an admitted call reaches the origin and carries the RateLimit headers", async () => {
  const account = await edge.client.newAccount("happy");
  const key = await edge.client.createKey(account, { name: "Reporting", description: "nightly export" });
  assert.match(key.keyId, /^PFK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(key.secret, /^pfs_/);

  const res = await edge.client.api("/v1/forms?page=2", { key });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("X-Origin"), "stub");
  assert.equal(res.headers.get("RateLimit-Policy"), '"daily";q=2500;w=86400');
  assert.match(res.headers.get("RateLimit"), /^"daily";r=2499;t=\d+$/);
  const echo = await res.json();
  assert.equal(echo.path, "/v1/forms?page=2");
  assert.equal(echo.keyId, key.keyId);
  assert.equal(echo.accountId, account);
  assert.equal(echo.access, "full");
  assert.equal(echo.authorization, null, "the secret is not forwarded upstream");

  // The client chooses the path, never the host: a path that looks like a
  // protocol-relative URL still goes to the origin.
  const sneaky = await edge.client.api("//localhost:9/v1/forms", { key });
  assert.equal(sneaky.status, 200);
  assert.equal((await sneaky.json()).path, "//localhost:9/v1/forms");

  // A POST with a body is forwarded as well, through the other worker.
  const post = await edge.clientB.api("/v1/records", { key, method: "POST", body: '{"a":1}' });
  assert.equal(post.status, 200);
  assert.equal((await post.json()).method, "POST");

  const list = await edge.client.listKeys(account);
  assert.equal(list.callsToday, 3);
  assert.equal(list.remainingToday, 2497);
  assert.equal(list.keys[0].callCount, 3);
  assert.equal(list.keys[0].activeConnections, 0, "every lease was released");
  assert.ok(list.keys[0].lastCallAt >= key.createdAt);
});

test("a read-only key may GET but is refused on POST with 403 READ_ONLY_KEY", async () => {
  const account = await edge.client.newAccount("readonly");
  const key = await edge.client.createKey(account, { name: "Dashboard", readOnly: true });
  assert.equal(key.access, "read-only");

  const get = await edge.client.api("/v1/forms", { key });
  assert.equal(get.status, 200);
  assert.equal((await get.json()).access, "read-only");

  const hitsBefore = origin.hits.length;
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const res = await edge.client.api("/v1/forms", { key, method, body: method === "DELETE" ? undefined : "{}" });
    assert.equal(res.status, 403, method);
    assert.equal(await errorOf(res), "READ_ONLY_KEY");
    assert.match(res.headers.get("RateLimit"), /"daily";r=2499;/, "the refusal did not use quota");
  }
  assert.equal(origin.hits.length, hitsBefore, "no refused call reached the origin");
});

test("401s carry WWW-Authenticate; unknown key and wrong secret look the same", async () => {
  const account = await edge.client.newAccount("unauth");
  const key = await edge.client.createKey(account, { name: "Sync" });

  const missing = await edge.client.api("/v1/forms");
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get("WWW-Authenticate"), 'Basic realm="apikeys", charset="UTF-8"');
  assert.equal(await errorOf(missing), "MISSING_CREDENTIALS");

  const bearer = await edge.client.api("/v1/forms", { authorization: "Bearer abc" });
  assert.equal(bearer.status, 401);
  assert.ok(bearer.headers.get("WWW-Authenticate"));

  const malformed = await edge.client.api("/v1/forms", { key: { keyId: key.keyId, secret: "pfs_nope" } });
  assert.equal(malformed.status, 401);
  assert.equal(await errorOf(malformed), "MALFORMED_CREDENTIALS");

  // Well-formed secrets (valid checksum), one for a key that does not exist,
  // one wrong for a key that does.
  const unknown = await edge.client.api("/v1/forms", { key: { keyId: generateKeyId(), secret: generateSecret() } });
  const wrong = await edge.client.api("/v1/forms", { key: { keyId: key.keyId, secret: generateSecret() } });
  const wrongB = await edge.clientB.api("/v1/forms", { key: { keyId: key.keyId, secret: generateSecret() } });
  for (const res of [unknown, wrong, wrongB]) {
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("WWW-Authenticate"), 'Basic realm="apikeys", charset="UTF-8"');
    assert.equal(res.headers.get("RateLimit"), null, "an unauthenticated caller learns nothing of the quota");
    assert.equal(res.headers.get("RateLimit-Policy"), null);
  }
  const [u, w, wb] = await Promise.all([unknown.text(), wrong.text(), wrongB.text()]);
  assert.equal(u, w, "same body for an unknown key and a wrong secret");
  assert.equal(w, wb);
  assert.equal(JSON.parse(u).error.code, "INVALID_CREDENTIALS");
  assert.deepEqual(
    [...unknown.headers.keys()].filter((h) => h !== "date"),
    [...wrong.headers.keys()].filter((h) => h !== "date"),
  );

  assert.equal((await edge.client.listKeys(account)).callsToday, 0, "refusals use no quota");
});

test("a 4th simultaneous call of one application gets 429 CONCURRENCY_LIMIT_EXCEEDED until one of 3 finishes", async () => {
  const account = await edge.client.newAccount("concurrency");
  const key = await edge.client.createKey(account, { name: "Streamer" });
  const other = await edge.client.createKey(account, { name: "Other app" });
  const names = ["c1", "c2", "c3"].map((n) => `${n}-${account}`);

  const open = names.map((n, i) => (i === 1 ? edge.clientB : edge.client).api(`/hold/${n}`, { key }));
  await origin.waitHeld(3);
  const responses = await Promise.all(open);
  for (const r of responses) assert.equal(r.status, 200);
  assert.equal((await edge.client.listKeys(account)).keys[0].activeConnections, 3);

  for (const client of [edge.client, edge.clientB]) {
    const fourth = await client.api("/v1/forms", { key });
    assert.equal(fourth.status, 429);
    assert.equal(await errorOf(fourth), "CONCURRENCY_LIMIT_EXCEEDED");
    assert.match(fourth.headers.get("Retry-After"), /^\d+$/);
    assert.ok(fourth.headers.get("RateLimit"));
  }
  // The cap is per application: another key of the account is admitted.
  const sibling = await edge.client.api("/v1/forms", { key: other });
  assert.equal(sibling.status, 200);
  await sibling.arrayBuffer();

  // One of the three finishes; once its client has read the whole body the
  // slot is free, and the 4th call is admitted.
  origin.finish(names[0]);
  assert.equal(await responses[0].text(), `start ${names[0]}\nend ${names[0]}\n`);
  const admitted = await edge.clientB.api("/v1/forms", { key });
  assert.equal(admitted.status, 200);
  await admitted.arrayBuffer();

  origin.finish(names[1]);
  origin.finish(names[2]);
  await Promise.all([responses[1].text(), responses[2].text()]);
  const list = await edge.client.listKeys(account);
  assert.equal(list.keys[0].activeConnections, 0);
  assert.equal(list.keys[0].callCount, 4, "3 held + the admitted 4th; the refused ones did not count");
});

test("a client that goes away mid-response frees its slot", async () => {
  const account = await edge.client.newAccount("gone");
  const key = await edge.client.createKey(account, { name: "Flaky client" });
  const names = ["g1", "g2", "g3"].map((n) => `${n}-${account}`);
  const controllers = names.map(() => new AbortController());
  // The upstream keeps sending (a long export); the runtime notices a
  // vanished client at its next write.
  const open = names.map((n, i) => edge.client.api(`/stream/${n}`, { key, signal: controllers[i].signal }));
  await origin.waitHeld(3);
  const responses = await Promise.all(open);
  const refused = await edge.client.api("/v1/forms", { key });
  assert.equal(refused.status, 429);
  await refused.arrayBuffer();

  controllers[0].abort();
  await responses[0].text().catch(() => {});
  let active = 3;
  for (let i = 0; i < 100 && active === 3; i++) {
    await sleep(50);
    active = (await edge.client.listKeys(account)).keys[0].activeConnections;
  }
  assert.equal(active, 2, "the abandoned call's lease was released (well before the 60 s TTL)");
  const admitted = await edge.client.api("/v1/forms", { key });
  assert.equal(admitted.status, 200);
  await admitted.arrayBuffer();
  // The upstream request was cancelled too.
  for (let i = 0; i < 40 && !origin.aborted.includes(names[0]); i++) await sleep(50);
  assert.ok(origin.aborted.includes(names[0]), "the origin saw the abandoned request closed");

  origin.finish(names[1]);
  origin.finish(names[2]);
  await Promise.all([responses[1].text(), responses[2].text()]);
  assert.equal((await edge.client.listKeys(account)).keys[0].activeConnections, 0);
});

test("a failing upstream answers 502 and releases the lease", async () => {
  // An origin that is not listening: a second edge whose UPSTREAM_ORIGIN is a closed port.
  const closed = await startOrigin();
  const deadUrl = closed.url;
  await closed.close();
  const dead = await startEdge({ origin: deadUrl });
  try {
    const account = await dead.client.newAccount("dead");
    const key = await dead.client.createKey(account, { name: "Upstream down" });
    for (let i = 0; i < 4; i++) {
      const res = await dead.client.api("/v1/forms", { key });
      assert.equal(res.status, 502);
      assert.equal(await errorOf(res), "UPSTREAM_UNAVAILABLE");
    }
    const list = await dead.client.listKeys(account);
    assert.equal(list.keys[0].activeConnections, 0, "4 calls in a row: no lease left behind");
    assert.equal(list.callsToday, 0, "and none of them counted: undelivered calls are refunded");
  } finally {
    await dead.dispose();
  }
});

test("reset: the old secret is refused on the very next request through either worker", async () => {
  const account = await edge.client.newAccount("reset");
  const key = await edge.client.createKey(account, { name: "Rotating" });
  // Both workers have seen the key (so both have its account cached).
  for (const client of [edge.client, edge.clientB]) {
    const res = await client.api("/v1/forms", { key });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  const reset = await edge.client.admin("POST", `accounts/${account}/keys/${key.keyId}/reset`);
  assert.equal(reset.status, 200);
  assert.equal(reset.body.keyId, key.keyId);
  assert.notEqual(reset.body.secret, key.secret);
  assert.equal(reset.headers.get("Cache-Control"), "no-store");

  const oldB = await edge.clientB.api("/v1/forms", { key });
  assert.equal(oldB.status, 401);
  assert.equal(await errorOf(oldB), "INVALID_CREDENTIALS");
  const oldA = await edge.client.api("/v1/forms", { key });
  assert.equal(oldA.status, 401);
  await oldA.arrayBuffer();

  const fresh = { keyId: key.keyId, secret: reset.body.secret };
  for (const client of [edge.clientB, edge.client]) {
    const res = await client.api("/v1/forms", { key: fresh });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
});

test("delete: the key is refused at once through either worker, and its slot is free", async () => {
  const account = await edge.client.newAccount("delete");
  const keys = [];
  for (const name of ["one", "two", "three"]) keys.push(await edge.client.createKey(account, { name }));
  const fourth = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "four" });
  assert.equal(fourth.status, 409);
  assert.equal(fourth.body.error.code, "APPLICATION_LIMIT_REACHED");

  const [victim] = keys;
  for (const client of [edge.client, edge.clientB]) {
    const res = await client.api("/v1/forms", { key: victim });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  const del = await edge.clientB.admin("DELETE", `accounts/${account}/keys/${victim.keyId}`);
  assert.equal(del.status, 204);
  for (const client of [edge.client, edge.clientB]) {
    const res = await client.api("/v1/forms", { key: victim });
    assert.equal(res.status, 401);
    assert.equal(await errorOf(res), "INVALID_CREDENTIALS");
  }
  const again = await edge.client.admin("DELETE", `accounts/${account}/keys/${victim.keyId}`);
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, "UNKNOWN_KEY");

  const replacement = await edge.client.createKey(account, { name: "four" });
  const res = await edge.clientB.api("/v1/forms", { key: replacement });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

test("management needs the admin token, never an API key; secrets show only in create and reset", async () => {
  const account = await edge.client.newAccount("admin");
  const created = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "Integration", description: "CRM" });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("Cache-Control"), "no-store");
  const key = created.body;
  assert.equal(typeof key.secret, "string");

  const path = `accounts/${account}/keys`;
  const noAuth = await edge.client.admin("GET", path, undefined, null);
  assert.equal(noAuth.status, 401);
  assert.match(noAuth.headers.get("WWW-Authenticate"), /^Bearer /);
  const wrongToken = await edge.client.admin("GET", path, undefined, `Bearer ${"x".repeat(43)}`);
  assert.equal(wrongToken.status, 401);
  const withApiKey = await edge.client.admin("GET", path, undefined, `Basic ${btoa(`${key.keyId}:${key.secret}`)}`);
  assert.equal(withApiKey.status, 401);
  const createWithApiKey = await edge.client.admin("POST", path, { name: "sneaky" }, `Basic ${btoa(`${key.keyId}:${key.secret}`)}`);
  assert.equal(createWithApiKey.status, 401);

  const list = await edge.clientB.admin("GET", path);
  assert.equal(list.status, 200);
  assert.equal(list.body.keys.length, 1, "the refused create did nothing");
  const text = JSON.stringify(list.body);
  assert.ok(!text.includes(key.secret), "list never shows the secret");
  assert.ok(!/secret"|secretHash|argon2/.test(text), "nor a hash");
  assert.deepEqual(
    { name: list.body.keys[0].name, description: list.body.keys[0].description, keyId: list.body.keys[0].keyId },
    { name: "Integration", description: "CRM", keyId: key.keyId },
  );

  const bad = await edge.client.admin("POST", path, { name: "" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, "INVALID_NAME");
  const unknownReset = await edge.client.admin("POST", `${path}/${generateKeyId()}/reset`);
  assert.equal(unknownReset.status, 404);
  const badAccount = await edge.client.admin("GET", "accounts/bad%20id/keys");
  assert.equal(badAccount.status, 400);
});
