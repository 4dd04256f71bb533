// End-to-end tests of the API Keys portal with its default store, IndexedDB,
// in Debian's headless Chromium driven by playwright-core: the real page, the
// real wasm package from pkg/, real IndexedDB. Each test has its own browser
// context (its own storage). The page checks shared with the edge store are
// in pages.mjs; here also what only the IndexedDB demo has.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createKey,
  eventually,
  goToConsole,
  goToKeys,
  goToPage,
  launchBrowser,
  newContext,
  openPortal,
  ready,
  screenshot,
  secretLocator,
  send,
  startServer,
  stat,
  writeRecord,
} from "./helpers.mjs";
import { KEY_ID, pageChecks, rows } from "./pages.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh context for one test, closed when the test ends. */
async function fresh(t, options) {
  const context = await newContext(browser, options);
  t.after(() => context.close());
  return context;
}

describe("serving", () => {
  test("serve.mjs serves the portal, the package (wasm as application/wasm), its ES modules, and nothing else", async () => {
    const get = (path) => fetch(new URL(path, server.url));
    const index = await get("/");
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.match(index.headers.get("content-security-policy"), /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    const html = await index.text();
    assert.match(html, /"apikeys": "\.\/pkg\/apikeys\.js"/);
    const wasm = await get("/pkg/apikeys_bg.wasm");
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())), "a valid wasm module");
    assert.equal((await get("/pkg/apikeys.js")).headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await (await get("/vendor/idb/index.js")).text(), /export \{[^}]*openDB/);
    assert.match(await (await get("/vendor/chart.js/chart.js")).text(), /Chart\.js v4\./);
    assert.equal((await get("/vendor/kurkle-color/color.esm.js")).status, 200);
    assert.deepEqual(await (await get("/config.json")).json(), { store: "indexeddb" });
    for (const hidden of [
      "/serve.mjs",
      "/package.json",
      "/test/helpers.mjs",
      "/node_modules/idb/package.json",
      "/vendor/chart.js/chart.js.map",
      "/vendor/chart.js/chart.cjs",
      "/vendor/chart.js/../package.json",
      "/%2e%2e/Cargo.toml",
      "/app/../serve.mjs",
      "/dist/_headers",
      "/_apikeys/accounts/demo/keys",
    ]) {
      assert.equal((await get(hidden)).status, 404, hidden);
    }
  });
});

pageChecks(
  {
    kind: "indexeddb",
    portal: async () => server.url,
    codes: {
      missing: "MISSING_CREDENTIALS",
      scheme: "UNSUPPORTED_SCHEME",
      invalidSecret: "INVALID_SECRET",
      unknownKey: "UNKNOWN_KEY",
    },
    shot: (name) => name,
  },
  () => browser,
);

describe("API Keys portal (IndexedDB only)", () => {
  test("a non-admin sees no keys and is told that API keys need an admin", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId } = await createKey(page, { name: "Salesforce Integration" });
    await page.getByLabel("Signed in as").selectOption("user");
    await page.getByRole("alert").getByText("To create or view API keys, you must be an admin").waitFor();
    const text = await page.locator("main").textContent();
    assert.ok(!text.includes("Salesforce Integration") && !text.includes(keyId), "no key is shown");
    assert.equal(await page.getByRole("table", { name: "API Keys" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Create an API Key" }).count(), 0);
    assert.match(text, /NOT_ADMIN/);
    await screenshot(page, "15-non-admin");

    // Nor through a direct link, and the choice survives a reload.
    for (const hash of [`#/api-keys/${keyId}`, "#/api-keys/new"]) {
      await page.goto(`${server.url}${hash}`);
      await ready(page);
      await page.getByText("To create or view API keys, you must be an admin").waitFor();
      assert.ok(!(await page.locator("main").textContent()).includes("Salesforce Integration"));
      assert.equal(await page.getByLabel("Name", { exact: true }).count(), 0);
    }

    await page.getByLabel("Signed in as").selectOption("admin");
    await goToKeys(page);
    assert.equal((await rows(page))[0].keyId, keyId);
  });

  test("holding connections open: the 4th gets 429, releasing recovers", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId, secret } = await createKey(page, { name: "Bulk Importer" });
    const watcher = await openPortal(context, server.url, `#/api-keys/${keyId}`);
    await goToConsole(page);
    for (let i = 0; i < 3; i += 1) {
      const r = await send(page, { method: "GET", auth: { keyId, secret }, hold: true });
      assert.equal(r.status, 200, `held call ${i + 1}`);
    }
    const open = page.getByRole("table", { name: "Open connections" }).locator("tbody tr");
    assert.equal(await open.count(), 3);
    // Another tab's details page follows.
    await eventually(async () =>
      assert.equal((await watcher.locator("#key-connections").textContent()).trim(), "3 of 3"),
    );

    const refused = await send(page, { method: "GET", auth: { keyId, secret }, hold: true });
    assert.equal(refused.status, 429);
    assert.equal(refused.code, "CONCURRENCY_LIMIT_EXCEEDED");
    assert.match(refused.headers["retry-after"] ?? "", /^\d+$/);
    await screenshot(page, "17-api-console-429-connections");

    await open
      .first()
      .getByRole("button", { name: /^Release connection/ })
      .click();
    await eventually(async () => assert.equal(await open.count(), 2));
    assert.equal((await send(page, { auth: { keyId, secret }, hold: true })).status, 200);
    assert.equal((await send(page, { auth: { keyId, secret }, hold: true })).status, 429);

    await page.getByRole("button", { name: "Release all connections" }).click();
    await page.getByText("No connections are held open.").waitFor();
    await eventually(async () =>
      assert.equal((await watcher.locator("#key-connections").textContent()).trim(), "0 of 3"),
    );
    assert.equal((await send(page, { auth: { keyId, secret } })).status, 200);
    assert.equal(
      await page.getByRole("table", { name: "Open connections" }).count(),
      0,
      "a normal call closes at once",
    );

    // Refused calls took nothing: 3 + 1 + 1 admitted.
    await goToKeys(page);
    assert.equal((await rows(page))[0].callCount, "5");
    assert.equal(await stat(page, "Total API calls today"), "5");
  });

  test("a corrupt or foreign database record: a clear message and Start over", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    for (const bad of ["not json at all", { hello: "world" }, { version: 99, keys: "many" }, 42]) {
      await writeRecord(page, bad);
      await page.reload();
      await ready(page);
      await page.getByRole("heading", { level: 1, name: "Your saved API key data can't be read" }).waitFor();
      assert.match(
        await page.getByRole("alert").textContent(),
        /damaged or was written by something else.*INVALID_STATE/s,
      );
      if (bad === "not json at all") await screenshot(page, "18-corrupt-record");
      await page.getByRole("button", { name: "Start over" }).click();
      await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();
      assert.equal(await stat(page, "Applications"), "0 of 3");
    }
    // A record corrupted while the page is open: the next change says so too.
    await createKey(page, { name: "Still works" });
    await writeRecord(page, { version: 1 });
    await page.getByRole("button", { name: "Reset API Key Secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { level: 1, name: "Your saved API key data can't be read" }).waitFor();
    assert.equal(await secretLocator(page).count(), 0);

    // A foreign database of the same name (newer version, no such store).
    await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const del = indexedDB.deleteDatabase("apikeys-portal");
          del.onsuccess = () => {
            const r = indexedDB.open("apikeys-portal", 7);
            r.onupgradeneeded = () => r.result.createObjectStore("other");
            r.onsuccess = () => {
              r.result.close();
              resolve();
            };
            r.onerror = () => reject(r.error);
          };
          del.onerror = () => reject(del.error);
        }),
    );
    await page.reload();
    await ready(page);
    await page.getByRole("button", { name: "Start over" }).waitFor();
    assert.match(await page.getByRole("alert").textContent(), /cannot read|foreign/);
    await page.getByRole("button", { name: "Start over" }).click();
    await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();
    const again = await createKey(page, { name: "After starting over" });
    assert.match(again.keyId, KEY_ID);
  });

  test("Add sample traffic: weeks of real calls through authorize, charted; offered only without history", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url, "#/usage");
    const existing = await createKey(page, { name: "Existing App" });
    await goToPage(page, "Usage");
    await page.getByRole("button", { name: "Add sample traffic" }).click();
    await page.getByRole("status").getByText(/^Sending sample calls… day \d+ of 29$/).waitFor();
    await page
      .getByRole("status")
      .getByText(/^Added [\d,]+ sample calls from 2 sample applications\.$/)
      .waitFor({ timeout: 120_000 });
    assert.equal(await page.getByRole("button", { name: "Add sample traffic" }).count(), 0, "gone once there is history");
    const calls = Number((await stat(page, "Calls in the last 30 days")).replace(/,/g, ""));
    assert.ok(calls > 2500, `weeks of calls (${calls})`);
    assert.ok(Number((await stat(page, "Refused calls")).replace(/,/g, "")) > 0, "with refusals");
    const byApp = page.getByRole("table", { name: "Calls by application" });
    const cells = async (name) => byApp.getByRole("row", { name: new RegExp(name) }).locator("td").allTextContents();
    const [syncCalls, , syncDaily, syncConnections] = await cells("Sample: Order Sync");
    assert.ok(Number(syncCalls.replace(/,/g, "")) > 2500);
    assert.ok(Number(syncDaily) > 0, "the runaway day hit the daily limit");
    assert.ok(Number(syncConnections) > 0, "bursts over the connection limit were refused");
    const [biCalls, biReadOnly] = await cells("Sample: BI Dashboard");
    assert.ok(Number(biCalls.replace(/,/g, "")) > 0);
    assert.ok(Number(biReadOnly) > 0, "the read-only key's writes were refused");
    assert.deepEqual(await cells("Existing App"), ["0", "0", "0", "0"], "existing keys are left alone");
    // The limit line: the runaway day reached it.
    await page.getByRole("button", { name: "Show as table" }).click();
    const table = page.getByRole("table", { name: "Calls per day, last 30 days" });
    const totals = await table.locator("tbody tr td:nth-last-child(3)").allTextContents();
    assert.ok(totals.includes("2,500"), `a day at the limit: ${totals.join(" ")}`);
    await page.getByRole("button", { name: "Hide table" }).click();
    await screenshot(page, "33-usage-sample-traffic");
    const chart = page.getByRole("img", { name: /^Calls per day, last 30 days/ });
    const box = await chart.boundingBox();
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.6);
    await screenshot(page, "34-usage-sample-traffic-hover");

    // The sample applications are ordinary keys, created weeks ago by the admin.
    await goToPage(page, "Activity");
    const created = await page
      .getByRole("table", { name: "Activity" })
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.textContent));
    assert.equal(created.length, 3);
    assert.match(created[0], /Existing App/, "newest first");
    await goToKeys(page);
    await page.getByRole("link", { name: "Sample: BI Dashboard" }).click();
    await page.getByRole("heading", { level: 1, name: "Sample: BI Dashboard" }).waitFor();
    assert.match(
      await page.getByRole("img", { name: /calls per day/ }).getAttribute("aria-label"),
      /[\d,]+ admitted and [\d,]+ refused calls in 30 days/,
    );
    await screenshot(page, "35-api-key-details-sample");
    assert.ok(existing.keyId);
  });

  test("a non-admin sees no usage and no activity either", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    await page.getByLabel("Signed in as").selectOption("user");
    for (const name of ["Usage", "Activity"]) {
      await goToPage(page, name);
      await page.getByText("To create or view API keys, you must be an admin").waitFor();
      assert.match(await page.locator("main").textContent(), /NOT_ADMIN/);
    }
  });
});
