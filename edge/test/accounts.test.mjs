// Explicit accounts (PUT/GET/DELETE /_apikeys/accounts/{id}, operator only
// for changes) and account admins scoped to their account with short-lived
// JWTs (HS256, ADMIN_JWT_SECRET), minted by POST /_apikeys/tokens or
// scripts/admin-token.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { SignJWT, UnsecuredJWT, decodeJwt } from "jose";
import { Account } from "apikeys";
import { generateKeyId } from "apikeys";
import { startOrigin, startEdge, newAccountId, accountToken, ADMIN_JWT_SECRET } from "./harness.mjs";

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

const DEFAULT_LIMITS = new Account().toJSON().limits;
const bearer = (token) => `Bearer ${token}`;

/** Status of one API call with `key`. */
async function call(key, client = edge.client) {
  const res = await client.api("/v1/forms", { key });
  await res.arrayBuffer();
  return res.status;
}

test("accounts are explicit: nothing is created implicitly, key endpoints of an unknown account answer 404 UNKNOWN_ACCOUNT", async () => {
  const account = newAccountId("explicit");
  const keyId = generateKeyId();
  const attempts = [
    ["GET", `accounts/${account}`],
    ["GET", `accounts/${account}/keys`],
    ["POST", `accounts/${account}/keys`, { name: "nope" }],
    ["POST", `accounts/${account}/keys/${keyId}/reset`],
    ["DELETE", `accounts/${account}/keys/${keyId}`],
    ["DELETE", `accounts/${account}`],
  ];
  for (const [method, path, body] of attempts) {
    const r = await edge.client.admin(method, path, body);
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(r.body.error.code, "UNKNOWN_ACCOUNT", `${method} ${path}`);
  }

  const before = Date.now();
  const created = await edge.client.admin("PUT", `accounts/${account}`, {});
  assert.equal(created.status, 201);
  assert.equal(created.body.accountId, account);
  assert.deepEqual(created.body.limits, DEFAULT_LIMITS);
  assert.ok(created.body.createdAt >= before && created.body.createdAt <= Date.now());

  // PUT again: 200, the same account (nothing reset).
  const key = await edge.client.createKey(account, { name: "kept" });
  const again = await edge.client.admin("PUT", `accounts/${account}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, created.body);
  const read = await edge.client.admin("GET", `accounts/${account}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, created.body);
  assert.equal((await edge.client.listKeys(account)).keys.length, 1);
  assert.equal(await call(key), 200);
});

test("PUT creates an account with its own limits; bad limits or fields are refused", async () => {
  const account = newAccountId("limits");
  const r = await edge.client.admin("PUT", `accounts/${account}`, { limits: { dailyCalls: 3, maxApplications: 1 } });
  assert.equal(r.status, 201);
  assert.deepEqual(r.body.limits, { ...DEFAULT_LIMITS, dailyCalls: 3, maxApplications: 1 });

  const key = await edge.client.createKey(account, { name: "only" });
  const second = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "second" });
  assert.equal(second.status, 409);
  assert.equal(second.body.error.code, "APPLICATION_LIMIT_REACHED");
  assert.deepEqual([await call(key), await call(key), await call(key), await call(key)], [200, 200, 200, 429]);

  for (const [body, code] of [
    [{ limits: { dailyCalls: -1 } }, "INVALID_LIMITS"],
    [{ limits: { dailyCall: 5 } }, "INVALID_LIMITS"],
    [{ limits: [] }, "INVALID_INPUT"],
    [{ limit: {} }, "INVALID_INPUT"],
    ["[]", "INVALID_INPUT"],
  ]) {
    const bad = await edge.client.admin("PUT", `accounts/${newAccountId("bad")}`, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.body.error.code, code, JSON.stringify(body));
  }
  assert.equal((await edge.client.admin("PUT", "accounts/bad%20id", {})).status, 400);
});

test(
  "PUT on an existing account merges the limits given into the current ones",
  { skip: typeof Account.prototype.setLimits !== "function" && "needs the core's account.setLimits (not on main yet)" },
  async () => {
    const account = await edge.client.newAccount("merge", { dailyCalls: 10, maxConnections: 2 });
    const key = await edge.client.createKey(account, { name: "k" });
    assert.equal(await call(key), 200);
    const r = await edge.client.admin("PUT", `accounts/${account}`, { limits: { dailyCalls: 1 } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.limits, { ...DEFAULT_LIMITS, dailyCalls: 1, maxConnections: 2 }, "the rest is kept");
    assert.equal(await call(key), 429, "the lower quota applies at once (1 call already made)");
    const list = await edge.client.listKeys(account);
    assert.equal(list.callsToday, 1, "the state is kept");
  },
);

test("DELETE removes the account, its keys and their directory entries; their calls get 401", async () => {
  const account = await edge.client.newAccount("drop");
  const keys = [await edge.client.createKey(account, { name: "a" }), await edge.client.createKey(account, { name: "b" })];
  for (const key of keys) assert.deepEqual([await call(key), await call(key, edge.clientB)], [200, 200]);

  const del = await edge.client.admin("DELETE", `accounts/${account}`);
  assert.equal(del.status, 204);
  for (const key of keys) {
    assert.deepEqual([await call(key), await call(key, edge.clientB)], [401, 401]);
    assert.equal(await (await edge.directory(key.keyId)).lookup(), null, "the directory entry is gone");
  }
  assert.equal((await edge.client.admin("GET", `accounts/${account}`)).status, 404);
  assert.equal((await edge.client.admin("GET", `accounts/${account}/keys`)).status, 404);
  assert.equal((await edge.client.admin("DELETE", `accounts/${account}`)).status, 404);

  // The ID can be used again, for a new, empty account; the old keys stay dead.
  assert.equal((await edge.client.admin("PUT", `accounts/${account}`)).status, 201);
  assert.deepEqual((await edge.client.listKeys(account)).keys, []);
  for (const key of keys) assert.equal(await call(key), 401);
});

test("an account admin's token manages its own account and no other (404, as if it did not exist)", async () => {
  const mine = await edge.client.newAccount("mine");
  const theirs = await edge.client.newAccount("theirs");
  const theirKey = await edge.client.createKey(theirs, { name: "theirs" });
  const auth = bearer(await accountToken({ account: mine, sub: "alice@example.com" }));

  const got = await edge.client.admin("GET", `accounts/${mine}`, undefined, auth);
  assert.equal(got.status, 200);
  assert.equal(got.body.accountId, mine);
  const created = await edge.client.admin("POST", `accounts/${mine}/keys`, { name: "by alice" }, auth);
  assert.equal(created.status, 201);
  assert.equal(await call(created.body), 200);
  assert.equal((await edge.client.admin("GET", `accounts/${mine}/keys`, undefined, auth)).body.keys.length, 1);
  const reset = await edge.client.admin("POST", `accounts/${mine}/keys/${created.body.keyId}/reset`, undefined, auth);
  assert.equal(reset.status, 200);
  assert.equal((await edge.client.admin("DELETE", `accounts/${mine}/keys/${created.body.keyId}`, undefined, auth)).status, 204);

  const missing = newAccountId("missing");
  for (const target of [theirs, missing]) {
    for (const [method, path, body] of [
      ["GET", `accounts/${target}`],
      ["GET", `accounts/${target}/keys`],
      ["POST", `accounts/${target}/keys`, { name: "intruder" }],
      ["POST", `accounts/${target}/keys/${theirKey.keyId}/reset`],
      ["DELETE", `accounts/${target}/keys/${theirKey.keyId}`],
    ]) {
      const r = await edge.client.admin(method, path, body, auth);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.deepEqual(r.body, { error: { code: "UNKNOWN_ACCOUNT", message: "No such account." } }, "the same for an existing and a missing account");
    }
  }
  const list = await edge.client.listKeys(theirs);
  assert.deepEqual(list.keys.map((k) => k.name), ["theirs"], "the other account is untouched");
  assert.equal(await call(theirKey), 200, "its key still works with its first secret");
});

test("only the operator creates or deletes accounts, changes limits or mints tokens (403 OPERATOR_ONLY)", async () => {
  const account = await edge.client.newAccount("operator-only");
  const auth = bearer(await accountToken({ account }));
  for (const [method, path, body] of [
    ["PUT", `accounts/${account}`, { limits: { dailyCalls: 1_000_000 } }],
    ["PUT", `accounts/${account}`, {}],
    ["DELETE", `accounts/${account}`],
    ["POST", "tokens", { account, sub: "mallory", role: "admin" }],
  ]) {
    const r = await edge.client.admin(method, path, body, auth);
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, "OPERATOR_ONLY");
  }
  const read = await edge.client.admin("GET", `accounts/${account}`);
  assert.deepEqual(read.body.limits, DEFAULT_LIMITS, "the limits did not change");
});

test('role "user" is refused by the core\'s admin check: 403 NOT_ADMIN', async () => {
  const account = await edge.client.newAccount("user-role");
  const key = await edge.client.createKey(account, { name: "k" });
  const auth = bearer(await accountToken({ account, sub: "bob", role: "user" }));
  for (const [method, path, body] of [
    ["GET", `accounts/${account}`],
    ["GET", `accounts/${account}/keys`],
    ["POST", `accounts/${account}/keys`, { name: "by bob" }],
    ["POST", `accounts/${account}/keys/${key.keyId}/reset`],
    ["DELETE", `accounts/${account}/keys/${key.keyId}`],
  ]) {
    const r = await edge.client.admin(method, path, body, auth);
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, "NOT_ADMIN");
  }
  assert.equal(await call(key), 200, "the key was neither reset nor deleted");
  assert.equal((await edge.client.listKeys(account)).keys.length, 1);
});

test("expired, tampered, foreign, too long-lived, unsigned or incomplete tokens get 401", async () => {
  const account = await edge.client.newAccount("tokens");
  const other = await edge.client.newAccount("tokens-other");
  const key = new TextEncoder().encode(ADMIN_JWT_SECRET);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims, { alg = "HS256", secret = key, sub = "alice", exp = now + 600 } = {}) => {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt(now);
    if (sub !== null) jwt = jwt.setSubject(sub);
    if (exp !== null) jwt = jwt.setExpirationTime(exp);
    return jwt.sign(secret);
  };
  const good = await sign({ account, role: "admin" });
  const [h, , s] = good.split(".");
  const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(good), account: other })).toString("base64url");

  const cases = {
    expired: await sign({ account, role: "admin" }, { exp: now - 120 }),
    tampered: `${h}.${forgedPayload}.${s}`,
    "bad signature": `${good.slice(0, -4)}AAAA`,
    "another secret": await sign({ account, role: "admin" }, { secret: new TextEncoder().encode("x".repeat(40)) }),
    "exp 2 h ahead": await sign({ account, role: "admin" }, { exp: now + 7200 }),
    "HS512": await sign({ account, role: "admin" }, { alg: "HS512" }),
    "alg none": new UnsecuredJWT({ account, role: "admin", sub: "alice", exp: now + 600 }).encode(),
    "no exp": await sign({ account, role: "admin" }, { exp: null }),
    "no sub": await sign({ account, role: "admin" }, { sub: null }),
    "no account": await sign({ role: "admin" }),
    "no role": await sign({ account }),
    "role owner": await sign({ account, role: "owner" }),
    "sub over 128 bytes": await sign({ account, role: "admin" }, { sub: "x".repeat(129) }),
    "not a JWT": "abc.def",
  };
  assert.equal((await edge.client.admin("GET", `accounts/${account}`, undefined, bearer(good))).status, 200, "the control token works");
  for (const [name, token] of Object.entries(cases)) {
    for (const target of [account, other]) {
      const r = await edge.client.admin("GET", `accounts/${target}/keys`, undefined, bearer(token));
      assert.equal(r.status, 401, `${name} on ${target}`);
      assert.equal(r.body.error.code, "INVALID_ADMIN_CREDENTIALS", name);
      assert.match(r.headers.get("WWW-Authenticate"), /^Bearer realm="apikeys-admin", error="invalid_token"$/, name);
    }
  }
  const expired = await edge.client.admin("GET", `accounts/${account}`, undefined, bearer(cases.expired));
  assert.match(expired.body.error.message, /expired/);
});

test("POST /_apikeys/tokens mints an account admin token (at most 1 h)", async () => {
  const account = await edge.client.newAccount("minted");
  const before = Date.now();
  const r = await edge.client.admin("POST", "tokens", { account, sub: "carol@example.com", role: "admin", ttlSeconds: 120 });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("Cache-Control"), "no-store");
  const { token, expiresAt } = r.body;
  assert.ok(expiresAt >= before + 119_000 && expiresAt <= Date.now() + 120_000, `expiresAt ${expiresAt}`);
  const claims = decodeJwt(token);
  assert.deepEqual(
    { sub: claims.sub, account: claims.account, role: claims.role, exp: claims.exp },
    { sub: "carol@example.com", account, role: "admin", exp: expiresAt / 1000 },
  );
  const created = await edge.client.admin("POST", `accounts/${account}/keys`, { name: "by carol" }, bearer(token));
  assert.equal(created.status, 201);

  for (const [body, status, code] of [
    [{ account, sub: "c", role: "admin", ttlSeconds: 3601 }, 400, "INVALID_INPUT"],
    [{ account, sub: "c", role: "admin", ttlSeconds: 0 }, 400, "INVALID_INPUT"],
    [{ account, sub: "c", role: "owner" }, 400, "INVALID_INPUT"],
    [{ account, sub: "", role: "admin" }, 400, "INVALID_INPUT"],
    [{ account, sub: "é".repeat(65), role: "admin" }, 400, "INVALID_INPUT"],
    [{ account, sub: "c", role: "admin", extra: 1 }, 400, "INVALID_INPUT"],
    [{ account: newAccountId("nobody"), sub: "c", role: "admin" }, 404, "UNKNOWN_ACCOUNT"],
  ]) {
    const bad = await edge.client.admin("POST", "tokens", body);
    assert.equal(bad.status, status, JSON.stringify(body));
    assert.equal(bad.body.error.code, code, JSON.stringify(body));
  }
  const defaults = await edge.client.admin("POST", "tokens", { account, sub: "dave", role: "user" });
  assert.equal(defaults.status, 200);
  assert.ok(Math.abs(defaults.body.expiresAt - (Date.now() + 900_000)) < 60_000, "15 minutes by default");
  assert.equal((await edge.client.admin("GET", "tokens")).status, 405);
});

test("scripts/admin-token.mjs mints a token the edge accepts", async () => {
  const account = await edge.client.newAccount("script");
  const script = fileURLToPath(new URL("../scripts/admin-token.mjs", import.meta.url));
  const env = { ...process.env, ADMIN_JWT_SECRET };
  const { stdout } = await promisify(execFile)(process.execPath, [script, account, "erin", "admin", "300"], { env });
  const token = stdout.trim();
  assert.equal(decodeJwt(token).sub, "erin");
  const r = await edge.client.admin("GET", `accounts/${account}/keys`, undefined, bearer(token));
  assert.equal(r.status, 200);
  const user = (await promisify(execFile)(process.execPath, [script, account, "frank", "user"], { env })).stdout.trim();
  assert.equal((await edge.client.admin("GET", `accounts/${account}/keys`, undefined, bearer(user))).status, 403);
  await assert.rejects(promisify(execFile)(process.execPath, [script, account, "erin", "admin", "7200"], { env }), "1 h at most");
});
