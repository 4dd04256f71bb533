// Forged and failing traffic: failed authentications limited per client IP
// with the Workers Rate Limiting binding (run by Miniflare), and calls that
// have not proven their secret kept away from the account objects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateSecret } from "apikeys";
import { startOrigin, startEdge, wrangler, ADMIN_TOKEN } from "./harness.mjs";

const limiter = wrangler.ratelimits.find((r) => r.name === "FAILED_AUTH_LIMITER");
const LIMIT = limiter.simple.limit;
const PERIOD = limiter.simple.period;

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

/** @param {Response} res */
async function codeOf(res) {
  const text = await res.text();
  return res.status === 200 ? "OK" : JSON.parse(text).error.code;
}

/** The fixed window of the binding that `now` falls in. */
const windowOf = (now) => Math.floor(now / (PERIOD * 1000));

test("wrangler.jsonc: FAILED_AUTH_PERIOD_SECONDS is the limiter's period", () => {
  assert.equal(Number(wrangler.vars.FAILED_AUTH_PERIOD_SECONDS), PERIOD);
  assert.ok(PERIOD === 10 || PERIOD === 60);
});

test("an IP past the limit of failed authentications gets 429 TOO_MANY_FAILED_AUTHENTICATIONS before any verification", async () => {
  const account = await edge.client.newAccount("limited");
  const key = await edge.client.createKey(account, { name: "victim" });
  const attacker = edge.client.from("198.51.100.7");
  const neighbour = edge.client.from("198.51.100.8");

  // Successes are not counted: more than the limit of them changes nothing.
  for (let i = 0; i < LIMIT + 10; i++) assert.equal(await codeOf(await attacker.api("/v1/forms", { key })), "OK");

  const wrong = { keyId: key.keyId, secret: generateSecret() };
  const windowBefore = windowOf(Date.now());
  let failures = 0;
  let blocked = null;
  for (let i = 0; i < 2 * LIMIT + 2 && blocked === null; i++) {
    const res = await attacker.api("/v1/forms", { key: wrong });
    if (res.status === 401) {
      failures++;
      await res.arrayBuffer();
    } else blocked = res;
  }
  assert.ok(blocked, "the IP was blocked");
  assert.equal(blocked.status, 429);
  assert.equal(await codeOf(blocked), "TOO_MANY_FAILED_AUTHENTICATIONS");
  const retryAfter = Number(blocked.headers.get("Retry-After"));
  assert.ok(retryAfter >= 1 && retryAfter <= PERIOD, `Retry-After ${retryAfter}`);
  // The binding counts in fixed windows: within one, exactly LIMIT failures pass.
  if (windowOf(Date.now()) === windowBefore) assert.equal(failures, LIMIT);
  else assert.ok(failures >= LIMIT);

  // Blocked for the rest of the period: even the right secret, even the
  // operator's token, answered before any verification (no account object call).
  const callsBefore = (await (await edge.accountObject(account)).stats()).authorize;
  const right = await attacker.api("/v1/forms", { key });
  assert.equal(right.status, 429);
  assert.equal(await codeOf(right), "TOO_MANY_FAILED_AUTHENTICATIONS");
  assert.ok(Number(right.headers.get("Retry-After")) <= retryAfter);
  const admin = await attacker.admin("GET", `accounts/${account}/keys`);
  assert.equal(admin.status, 429);
  assert.equal((await (await edge.accountObject(account)).stats()).authorize, callsBefore, "no account object call");

  // Another IP is not affected, and the quota was not touched by the failures.
  assert.equal(await codeOf(await neighbour.api("/v1/forms", { key })), "OK");
  const list = await edge.client.listKeys(account);
  assert.equal(list.callsToday, LIMIT + 11);
});

test("requests with no credentials at all are not counted", async () => {
  const anonymous = edge.client.from("198.51.100.9");
  for (let i = 0; i < LIMIT + 10; i++) {
    assert.equal(await codeOf(await anonymous.api("/v1/forms")), "MISSING_CREDENTIALS");
  }
});

test("failed management authentications are counted too", async () => {
  const guesser = edge.client.from("198.51.100.10");
  let blocked = null;
  for (let i = 0; i < 2 * LIMIT + 2 && blocked === null; i++) {
    const r = await guesser.admin("GET", "accounts/anything/keys", undefined, `Bearer ${"g".repeat(43)}${i}`);
    if (r.status !== 401) blocked = r;
  }
  assert.equal(blocked?.status, 429);
  assert.equal(blocked.body.error.code, "TOO_MANY_FAILED_AUTHENTICATIONS");
  assert.match(blocked.headers.get("Retry-After"), /^\d+$/);
  const operator = await guesser.admin("GET", "accounts/anything", undefined, `Bearer ${ADMIN_TOKEN}`);
  assert.equal(operator.status, 429, "even the right token, from that IP");
  const elsewhere = await edge.client.from("198.51.100.11").admin("GET", "accounts/anything");
  assert.equal(elsewhere.status, 404);
});
