// The npm package in real workerd: a Worker that only imports `Account` from
// "apikeys" and calls `authorize`, bundled with the workerd/worker export
// conditions and the wasm as a compiled module, runs with no fetch at all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { generateKeyId, generateSecret, encodeBasic } from "apikeys";
import { buildWorker } from "../scripts/build.mjs";
import { COMPATIBILITY_DATE } from "./harness.mjs";

let mf;
let built;
/** Every fetch the worker tried to send out of workerd. */
const outbound = [];

before(async () => {
  built = await buildWorker({ entry: "test/fixtures/minimal-worker.js", outdir: "dist-minimal" });
  const outboundService = (request) => {
    outbound.push(request.url);
    return new Response("no network here", { status: 599 });
  };
  mf = new Miniflare({
    host: "127.0.0.1",
    workers: [
      {
        name: "minimal",
        modules: built.modules,
        modulesRoot: built.modulesRoot,
        compatibilityDate: COMPATIBILITY_DATE,
        outboundService,
      },
      {
        // A control: proves that a fetch from a worker would be seen.
        name: "probe",
        modules: true,
        script: `export default { fetch: () => fetch("http://probe.invalid/apikeys_bg.wasm") }`,
        compatibilityDate: COMPATIBILITY_DATE,
        outboundService,
      },
    ],
  });
  await mf.ready;
});

after(() => mf?.dispose());

test("the bundle takes the package's workerd entry and keeps the wasm a separate module", () => {
  const entries = built.inputs.filter((f) => /(^|\/)pkg\/[^/]+\.js$/.test(f)).map((f) => f.replace(/.*\/pkg\//, ""));
  assert.ok(entries.includes("workerd.js"), `pkg entries bundled: ${entries}`);
  assert.ok(!entries.includes("node.js"), "the Node entry must not be bundled");
  assert.deepEqual(
    built.modules.map((m) => m.type),
    ["ESModule", "CompiledWasm"],
  );
  assert.match(built.modules[1].path, /apikeys_bg\.wasm$/);
});

test("authorize runs in workerd: missing credentials", async () => {
  const res = await mf.dispatchFetch("http://minimal.test/");
  const decision = await res.json();
  assert.equal(res.status, 401);
  assert.equal(decision.code, "MISSING_CREDENTIALS");
  assert.equal(decision.ok, false);
  assert.match(decision.headers["WWW-Authenticate"], /^Basic realm="apikeys"/);
});

test("authorize runs in workerd: a well-formed key the account does not have", async () => {
  const header = encodeBasic(generateKeyId(), generateSecret());
  const res = await mf.dispatchFetch("http://minimal.test/", { headers: { Authorization: header } });
  const decision = await res.json();
  assert.equal(res.status, 401);
  assert.equal(decision.code, "UNKNOWN_KEY");
  assert.equal(decision.remainingToday, 2500);
});

test("authorize runs in workerd: a created key is admitted with a lease", async () => {
  const res = await mf.dispatchFetch("http://minimal.test/roundtrip");
  const decision = await res.json();
  assert.equal(res.status, 200);
  assert.equal(decision.ok, true);
  assert.equal(decision.code, "OK");
  assert.equal(decision.access, "full");
  assert.match(decision.keyId, /^PFK-[0-9a-f]{8}-/);
  assert.equal(typeof decision.leaseId, "string");
  assert.equal(decision.remainingToday, 2499);
  assert.match(decision.headers.RateLimit, /"daily";r=2499;t=\d+/);
});

test("no fetch left workerd (the wasm was not fetched at run time)", async () => {
  assert.deepEqual(outbound, []);
  // The control worker's fetch is caught, so an attempt would have shown.
  const probe = await mf.getWorker("probe");
  const res = await probe.fetch("http://probe.test/");
  assert.equal(res.status, 599);
  await res.arrayBuffer();
  assert.deepEqual(outbound, ["http://probe.invalid/apikeys_bg.wasm"]);
});
