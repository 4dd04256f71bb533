// The npm package as a user imports it: `import ... from "apikeys"` resolves
// through package.json `exports` (the "node" condition) to the built pkg/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

import init, * as api from "apikeys";
import {
  Account, encodeBasic, parseBasic, generateKeyId, isKeyId, generateSecret, isSecret,
  hashSecret, verifySecret, needsRehash, verify, errorInfo, errorCodes,
} from "apikeys";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const admin = { role: "admin" };
const T0 = Date.UTC(2026, 0, 1);

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, "throws a JS Error");
    assert.equal(e.name, "ApiKeyError");
    assert.ok(e.message.length > 10, "a helpful message");
    return e.code;
  }
  assert.fail("expected a throw");
}

test("every function of the contract is exported with its exact name", async () => {
  for (const name of ["encodeBasic", "parseBasic", "generateKeyId", "isKeyId", "generateSecret",
    "hashSecret", "verifySecret", "needsRehash", "verify", "Account"]) {
    assert.equal(typeof api[name], "function", name);
  }
  for (const m of ["createKey", "listKeys", "resetSecret", "deleteKey", "authorize", "release", "toJSON",
    "updateKey", "usage", "auditLog"]) {
    assert.equal(typeof Account.prototype[m], "function", m);
  }
  assert.equal(typeof Account.fromJSON, "function");
  assert.equal(await init(), undefined, "init() is accepted and already done");
});

test("encodeBasic / parseBasic: RFC 7617 §2 and §2.1 vectors, UTF-8 and colons", () => {
  assert.equal(encodeBasic("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert.equal(encodeBasic("test", "123£"), "Basic dGVzdDoxMjPCow==");
  assert.deepEqual({ ...parseBasic("basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==") },
    { keyId: "Aladdin", secret: "open sesame" });
  const h = encodeBasic("ünï", "a:b:🔑");
  assert.deepEqual({ ...parseBasic(h) }, { keyId: "ünï", secret: "a:b:🔑" });
  // The same bytes as Node's own Buffer encoding.
  assert.equal(h, "Basic " + Buffer.from("ünï:a:b:🔑").toString("base64"));
});

test("bad input throws ApiKeyError with stable codes", () => {
  assert.equal(codeOf(() => parseBasic(null)), "MISSING_CREDENTIALS");
  assert.equal(codeOf(() => parseBasic("")), "MISSING_CREDENTIALS");
  assert.equal(codeOf(() => parseBasic("Bearer abc")), "UNSUPPORTED_SCHEME");
  assert.equal(codeOf(() => parseBasic("Basic %%%")), "MALFORMED_CREDENTIALS");
  assert.equal(codeOf(() => parseBasic("Basic " + btoa("nocolon"))), "MALFORMED_CREDENTIALS");
  assert.equal(codeOf(() => parseBasic("Basic " + "A".repeat(2000))), "MALFORMED_CREDENTIALS");
  assert.equal(codeOf(() => encodeBasic("a:b", "x")), "INVALID_USER_ID");
  assert.equal(codeOf(() => verifySecret("x", "$argon2id$nope")), "MALFORMED_HASH");
  assert.equal(codeOf(() => hashSecret("x", "medium")), "INVALID_PROFILE");
  assert.equal(codeOf(() => hashSecret("x", { memoryKiB: 1 << 30, iterations: 1, parallelism: 1 })), "INVALID_PROFILE");
  assert.equal(codeOf(() => new Account({ dailyCalls: -1 })), "INVALID_LIMITS");
  assert.equal(codeOf(() => new Account({ dailyCals: 5 })), "INVALID_LIMITS");
  assert.equal(codeOf(() => Account.fromJSON({ version: 1 })), "INVALID_STATE");
});

test("key IDs, secrets and hashes", () => {
  const id = generateKeyId();
  assert.match(id, /^PFK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(isKeyId(id));
  assert.ok(!isKeyId(id.toUpperCase()) && !isKeyId(42) && !isKeyId(undefined));
  const s = generateSecret();
  assert.match(s, /^pfs_[0-9A-Za-z]{49}$/);
  assert.ok(isSecret(s));
  assert.ok(!isSecret(s.slice(0, -1) + (s.at(-1) === "a" ? "b" : "a")), "checksum catches a typo");
  const phc = hashSecret(s);
  assert.match(phc, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
  assert.ok(verifySecret(s, phc));
  assert.ok(!verifySecret(generateSecret(), phc));
  assert.ok(!needsRehash(phc) && needsRehash(phc, "strong"));
  assert.match(hashSecret(s, "strong"), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test("Account: the contract's flow, decisions and state", () => {
  const account = new Account();
  const created = account.createKey(admin, { name: "Salesforce Integration", description: "sync" }, T0);
  assert.deepEqual(Object.keys(created), ["keyId", "secret", "name", "description", "access", "createdAt"]);
  assert.equal(created.access, "full");
  assert.equal(created.createdAt, T0);
  const header = encodeBasic(created.keyId, created.secret);

  const d = account.authorize(header, "POST", T0 + 1000);
  assert.equal(d.ok, true);
  assert.equal(d.status, 200);
  assert.equal(d.code, "OK");
  assert.equal(d.keyId, created.keyId);
  assert.equal(d.access, "full");
  assert.equal(typeof d.leaseId, "string");
  assert.equal(d.remainingToday, 2499);
  assert.equal(d.resetsAt, T0 + 86_400_000);
  assert.equal(d.headers["RateLimit-Policy"], '"daily";q=2500;w=86400');
  assert.match(d.headers.RateLimit, /^"daily";r=2499;t=\d+$/);
  // Works with the Fetch API's Headers as it is.
  assert.equal(new Headers(d.headers).get("ratelimit"), d.headers.RateLimit);
  assert.equal(account.release(d.leaseId, T0 + 2000), true);
  assert.equal(account.release(d.leaseId, T0 + 2000), false);

  const list = account.listKeys(admin, T0 + 3000);
  assert.equal(list.callsToday, 1);
  assert.equal(list.remainingToday, 2499);
  assert.equal(list.resetsAt, T0 + 86_400_000);
  assert.deepEqual(
    Object.keys(list.keys[0]).sort(),
    ["access", "activeConnections", "callCount", "callCountResetsAt", "createdAt", "description",
      "keyId", "lastCallAt", "name", "secretSetAt"],
  );
  assert.equal(list.keys[0].callCount, 1);
  assert.equal(list.keys[0].lastCallAt, T0 + 1000);

  // The state is plain JSON without the secret; JSON.stringify uses toJSON.
  const text = JSON.stringify(account);
  assert.equal(text, JSON.stringify(account.toJSON()));
  assert.ok(!text.includes(created.secret.slice(4)), "no secret at rest");
  assert.equal(JSON.parse(text).version, 2);
  const restored = Account.fromJSON(JSON.parse(text));
  assert.equal(JSON.stringify(restored), text);
  assert.equal(JSON.stringify(Account.fromJSON(text)), text);

  const reset = account.resetSecret(admin, created.keyId, T0 + 4000);
  assert.deepEqual(Object.keys(reset), ["keyId", "secret"]);
  assert.equal(account.authorize(header, "GET", T0 + 5000).code, "INVALID_SECRET");
  assert.equal(account.authorize(encodeBasic(reset.keyId, reset.secret), "GET", T0 + 5000).ok, true);
  account.deleteKey(admin, created.keyId, T0 + 6000);
  assert.equal(account.authorize(encodeBasic(reset.keyId, reset.secret), "GET", T0 + 7000).code, "UNKNOWN_KEY");
});

test("Account: admin-only, the application limit and argument checks", () => {
  const account = new Account();
  assert.equal(codeOf(() => account.createKey({ role: "user" }, { name: "x" }, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.listKeys(undefined, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.createKey(admin, { name: " " }, T0)), "INVALID_NAME");
  assert.equal(codeOf(() => account.createKey(admin, { name: 5 }, T0)), "INVALID_NAME");
  assert.equal(codeOf(() => account.createKey(admin, { name: "x", description: 5 }, T0)), "INVALID_DESCRIPTION");
  assert.equal(codeOf(() => account.createKey(admin, { name: "x", readonly: true }, T0)), "INVALID_INPUT");
  assert.equal(codeOf(() => account.createKey(admin, { name: "x" }, NaN)), "INVALID_TIME");
  for (let i = 0; i < 3; i++) account.createKey(admin, { name: `app ${i}` }, T0);
  const e = (() => { try { account.createKey(admin, { name: "4th" }, T0); } catch (e) { return e; } })();
  assert.equal(e.code, "APPLICATION_LIMIT_REACHED");
  assert.match(e.message, /delete an existing application first/);
});

test("authorize never throws, whatever it is given", () => {
  const account = new Account();
  for (const [h, m, now] of [[undefined, "GET", T0], [null, null, T0], [42, {}, T0],
    ["Basic " + "A".repeat(1 << 20), "GET", T0], ["Basic x", "GET", NaN], ["Basic x", "GET", -1],
    ["Basic x", "G E T", T0], ["\u0000", "GET", Infinity]]) {
    const d = account.authorize(h, m, now);
    assert.equal(d.ok, false);
    assert.ok([400, 401, 500].includes(d.status), `${d.status} ${d.code}`);
  }
  assert.equal(account.authorize(null, "GET", T0).code, "MISSING_CREDENTIALS");
  assert.equal(account.authorize("Basic x", "GET", NaN).code, "INVALID_TIME");
  assert.equal(account.authorize("Basic x", "G E T", T0).code, "INVALID_METHOD");
});

test("stateless verify with a stored key record", () => {
  const keyId = generateKeyId();
  const secret = generateSecret();
  const record = { keyId, secretHash: hashSecret(secret), access: "read-only" };
  const header = encodeBasic(keyId, secret);
  const ok = verify(header, "GET", record);
  assert.equal(ok.ok, true);
  assert.equal(ok.leaseId, undefined);
  assert.equal(ok.remainingToday, undefined);
  assert.equal(verify(header, "DELETE", record).status, 403);
  const unknown = verify(header, "GET", null);
  const wrong = verify(encodeBasic(keyId, generateSecret()), "GET", record);
  assert.deepEqual([unknown.code, wrong.code], ["UNKNOWN_KEY", "INVALID_SECRET"]);
  assert.deepEqual(unknown.headers, wrong.headers, "a client cannot tell them apart");
  assert.equal(unknown.headers["WWW-Authenticate"], 'Basic realm="apikeys", charset="UTF-8"');
});

/// A small REST API guarded by `authorize`, on loopback, for real HTTP clients.
async function withApi(fn) {
  const account = new Account();
  const created = account.createKey(admin, { name: "Integration" }, Date.now());
  const server = createServer((req, res) => {
    const d = account.authorize(req.headers.authorization ?? null, req.method, Date.now());
    res.writeHead(d.status, { ...d.headers, "content-type": "application/json" });
    res.end(JSON.stringify({ code: d.code }));
    if (d.leaseId) account.release(d.leaseId, Date.now());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/records`;
  try {
    await fn({ url, account, ...created });
  } finally {
    server.close();
  }
}

test("keys authenticate the header that curl -u makes", async () => {
  await withApi(async ({ url, keyId, secret }) => {
    const good = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", `${keyId}:${secret}`, url]);
    assert.equal(good.stdout, "200");
    const bad = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", `${keyId}:${generateSecret()}`, url]);
    assert.equal(bad.stdout, "401");
  });
});

test("keys authenticate Python requests' auth=(id, secret) and urllib's challenge-driven Basic", async () => {
  await withApi(async ({ url, keyId, secret, account }) => {
    const script = `
import sys, urllib.request, requests
url, user, pw = sys.argv[1:4]
r = requests.get(url, auth=(user, pw))
print(r.status_code, r.json()["code"])
# urllib sends credentials only after a 401 with WWW-Authenticate: Basic realm="apikeys"
mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
mgr.add_password("apikeys", url, user, pw)
opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(mgr))
with opener.open(url) as resp:
    print(resp.status)
`;
    const { stdout } = await run("python3", ["-c", script, url, keyId, secret]);
    assert.deepEqual(stdout.trim().split("\n"), ["200 OK", "200"]);
    assert.equal(account.listKeys(admin, Date.now()).keys[0].callCount, 2);
  });
});

test("the .d.ts types every export (tsc --noEmit on a usage file and a misuse file)", async () => {
  const tsc = [fileURLToPath(new URL("./node_modules/typescript/bin/tsc", import.meta.url))];
  await run(process.execPath, [...tsc, "-p", `${here}types/tsconfig.json`]);
  // misuse.ts marks each wrong call with @ts-expect-error: it compiles only if
  // every one of them really is a type error (an `any` would fail it).
  await run(process.execPath, [...tsc, "-p", `${here}types/tsconfig.misuse.json`]);
});

test("errorInfo and errorCodes: the one table of codes, statuses and messages", () => {
  const codes = errorCodes();
  assert.ok(codes.includes("INVALID_SECRET") && codes.includes("STALE_KEY_RECORD"));
  for (const code of codes) {
    const info = errorInfo(code);
    assert.equal(info.code, code);
    assert.ok(Number.isInteger(info.status) && info.message.length > 5, code);
    // The message is the one an ApiKeyError of that code carries.
  }
  assert.deepEqual({ ...errorInfo("INVALID_SECRET") }, {
    code: "INVALID_SECRET", status: 401, message: "the API key secret does not match",
  });
  assert.equal(errorInfo("READ_ONLY_KEY").status, 403);
  assert.equal(errorInfo("NOPE"), null);
  assert.equal(errorInfo(42), null);
  const e = (() => { try { new Account().createKey({ role: "user" }, { name: "x" }, T0); } catch (e) { return e; } })();
  assert.equal(e.message, errorInfo(e.code).message);
});

test("renew, refund, setLimits, keyRecord and authorizeVerified from JS", () => {
  const account = new Account({ maxConnections: 1, leaseTtlMs: 2000 });
  const operator = { role: "admin", id: "operator" };
  const { keyId, secret } = account.createKey(operator, { name: "App" }, T0);
  const header = encodeBasic(keyId, secret);
  const d = account.authorize(header, "GET", T0);
  assert.equal(account.renew(d.leaseId, T0 + 1500), true);
  assert.equal(account.authorize(header, "GET", T0 + 2500).code, "CONCURRENCY_LIMIT_EXCEEDED");
  assert.equal(account.listKeys(operator, T0 + 2500).callsToday, 1);
  assert.equal(account.release(d.leaseId, T0 + 2600, { refund: true }), true);
  assert.equal(account.listKeys(operator, T0 + 2600).callsToday, 0);
  assert.equal(account.release(d.leaseId, T0 + 2600, { refund: true }), false);
  assert.equal(codeOf(() => account.release("lease-1", T0, { refund: true, extra: 1 })), "INVALID_INPUT");
  assert.equal(account.renew(42, T0), false);

  const limits = account.setLimits(operator, { dailyCalls: 5 }, T0);
  assert.equal(limits.dailyCalls, 5);
  assert.equal(limits.maxConnections, 1);
  assert.equal(codeOf(() => account.setLimits({ role: "user" }, { dailyCalls: 9 }, T0)), "NOT_ADMIN");
  assert.equal(codeOf(() => account.setLimits(operator, { dailyCall: 9 }, T0)), "INVALID_LIMITS");
  assert.equal(codeOf(() => account.createKey({ role: "admin", id: 7 }, { name: "x" }, T0)), "INVALID_INPUT");

  const record = account.keyRecord(keyId);
  assert.deepEqual(Object.keys(record).sort(), ["access", "keyId", "rehash", "secretHash", "version"]);
  assert.equal(verify(header, "GET", record).ok, true, "the cached record is what verify takes");
  const ok = account.authorizeVerified(keyId, record.version, "GET", T0 + 5000);
  assert.equal(ok.code, "OK");
  account.release(ok.leaseId, T0 + 5000);
  assert.equal(account.authorizeVerified(keyId, record.version + 1, "GET", T0 + 5000).code, "STALE_KEY_RECORD");
  assert.equal(account.authorizeVerified(keyId, "1", "GET", T0 + 5000).code, "STALE_KEY_RECORD");
  assert.equal(account.authorizeVerified(keyId, record.version, "GET", NaN).code, "INVALID_TIME");
  account.resetSecret(operator, keyId, T0 + 6000);
  assert.notEqual(account.keyRecord(keyId).version, record.version);
  assert.equal(account.keyRecord("PFK-nope"), null);
});
