// End-to-end tests of the API Keys portal in Debian's headless Chromium,
// driven by playwright-core: the real page, the real wasm package from pkg/,
// real IndexedDB. Each test has its own browser context (its own storage).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  basic,
  createKey,
  dumpStorage,
  eventually,
  goToConsole,
  goToKeys,
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

const KEY_ID = /^PFK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = /^pfs_[0-9A-Za-z]{40,}$/;

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

/** The rows of the API Keys table as { name, keyId, callCount, lastCall }. */
async function rows(page) {
  const table = page.getByRole("table", { name: "API Keys" });
  if (!(await table.count())) return [];
  return table.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll("th, td");
      return {
        name: cells[0].querySelector("a").textContent.trim(),
        keyId: cells[1].textContent.trim(),
        callCount: cells[2].textContent.trim(),
        lastCall: cells[3].textContent.trim(),
        lastCallUtc: cells[3].querySelector("time")?.getAttribute("title") ?? null,
      };
    }),
  );
}

describe("serving", () => {
  test("serve.mjs serves the portal, the package (wasm as application/wasm) and idb, and nothing else", async () => {
    const get = (path) => fetch(new URL(path, server.url));
    const index = await get("/");
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.match(index.headers.get("content-security-policy"), /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    const html = await index.text();
    assert.match(html, /"apikeys": "\/pkg\/apikeys\.js"/);
    const wasm = await get("/pkg/apikeys_bg.wasm");
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())), "a valid wasm module");
    assert.equal((await get("/pkg/apikeys.js")).headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await (await get("/vendor/idb/index.js")).text(), /export \{[^}]*openDB/);
    for (const hidden of [
      "/serve.mjs",
      "/package.json",
      "/test/helpers.mjs",
      "/node_modules/idb/package.json",
      "/%2e%2e/Cargo.toml",
      "/app/../serve.mjs",
    ]) {
      assert.equal((await get(hidden)).status, 404, hidden);
    }
  });
});

describe("API Keys portal", () => {
  test("create a key: the details page shows the secret once; after a reload or leaving it is gone", async (t) => {
    const context = await fresh(t, { permissions: ["clipboard-read", "clipboard-write"] });
    const page = await openPortal(context, server.url);
    assert.equal(await stat(page, "Applications"), "0 of 3");
    await screenshot(page, "01-api-keys-empty");

    await page.getByRole("button", { name: "Create an API Key" }).click();
    const name = page.getByLabel("Name", { exact: true });
    assert.equal(await name.getAttribute("placeholder"), "Salesforce Integration");
    assert.equal(await name.getAttribute("required"), "");
    await screenshot(page, "02-create-an-api-key");

    const { keyId, secret } = await createKey(page, {
      name: "Salesforce Integration",
      description: "Syncs opportunities hourly",
    });
    assert.match(keyId, KEY_ID);
    assert.match(secret, SECRET);
    assert.match(page.url(), new RegExp(`#/api-keys/${keyId}$`));
    await page.getByText("This is the only time the API Key Secret is visible").waitFor();
    const details = page.locator("main");
    assert.match(await details.textContent(), /Syncs opportunities hourly/);
    assert.match(await details.textContent(), /Full access/);
    await page.getByRole("button", { name: "Copy API Key Secret" }).click();
    await page.getByText("Copied").first().waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await screenshot(page, "03-api-key-details-with-secret");

    await page.reload();
    await ready(page);
    await page.getByRole("heading", { level: 1, name: "Salesforce Integration" }).waitFor();
    assert.equal(await secretLocator(page).count(), 0, "no API Key Secret after a reload");
    assert.ok(!(await page.content()).includes(secret), "the secret is nowhere in the page");
    assert.equal((await page.locator("#api-key-id").textContent()).trim(), keyId, "the key ID stays visible");
    await screenshot(page, "04-api-key-details-after-reload");

    // A second key: leaving its page (without a reload) makes its secret gone too.
    const second = await createKey(page, { name: "Custom Reporting App" });
    assert.equal((await secretLocator(page).textContent()).trim(), second.secret);
    await goToKeys(page);
    assert.ok(!(await page.content()).includes(second.secret));
    await page.getByRole("link", { name: "Custom Reporting App" }).click();
    await page.getByRole("heading", { level: 1, name: "Custom Reporting App" }).waitFor();
    assert.equal(await secretLocator(page).count(), 0, "no API Key Secret after leaving and coming back");
    // Nor by going Back to the page that showed it, and Forward again.
    await page.goBack();
    await page.goBack();
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    assert.ok(!(await page.content()).includes(second.secret));
    await page.goForward();
    await page.goForward();
    await page.getByRole("heading", { level: 1, name: "Custom Reporting App" }).waitFor();
    assert.ok(!(await page.content()).includes(second.secret));
  });

  test("the secret is not in IndexedDB, Web Storage, the URL, the history or the console", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId, secret } = await createKey(page, { name: "Custom Reporting App" });
    await secretLocator(page).waitFor();
    const dump = await dumpStorage(page);
    // The dump is real: it holds the account with this key and its argon2id hash.
    assert.ok(dump.includes(keyId), "the key ID is stored");
    assert.match(dump, /\$argon2id\$/);
    assert.ok(!dump.includes(secret), "no secret in IndexedDB, localStorage, sessionStorage, URL or history");
    assert.ok(!dump.includes(basic(keyId, secret).slice(6)), "nor its Basic encoding");
    const historyUrls = await page.evaluate(() => location.href);
    assert.ok(!historyUrls.includes(secret));
    assert.ok(!context.logs.join("\n").includes(secret), "nothing logged the secret");
    assert.deepEqual(
      context.logs.filter((l) => /^(error|pageerror)/.test(l)),
      [],
    );
  });

  test("authorize through the API console: 200 and the counts move", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId, secret } = await createKey(page, { name: "Salesforce Integration" });
    await goToKeys(page);
    assert.equal(await stat(page, "Total API calls today"), "0");
    assert.equal((await rows(page))[0].lastCall, "Never");

    await goToConsole(page);
    const ok = await send(page, { method: "GET", path: "/api/v1/forms", auth: { keyId, secret } });
    assert.equal(ok.status, 200);
    assert.equal(ok.statusLine, "200 OK");
    assert.equal(ok.code, "OK");
    assert.ok("RateLimit" in ok.headers && "RateLimit-Policy" in ok.headers, JSON.stringify(ok.headers));
    assert.equal((await page.locator("#response-remaining").textContent()).trim(), "2,499");
    await screenshot(page, "05-api-console-200");

    const second = await send(page, { method: "HEAD", auth: { keyId, secret } });
    assert.equal(second.status, 200);

    await goToKeys(page);
    assert.equal(await stat(page, "Total API calls today"), "2");
    assert.equal(await stat(page, "Remaining daily call balance"), "2,498");
    const bar = page.getByRole("progressbar", { name: "Daily calls used" });
    assert.equal(await bar.getAttribute("aria-valuenow"), "2");
    assert.equal(await bar.getAttribute("aria-valuemax"), "2500");
    const [row] = await rows(page);
    assert.equal(row.keyId, keyId);
    assert.equal(row.callCount, "2");
    assert.notEqual(row.lastCall, "Never");
    assert.match(row.lastCallUtc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/, "UTC on hover");
    assert.match(row.lastCall, /UTC$/, "and UTC beside the local time");
    await screenshot(page, "06-api-keys-after-calls");

    // A wrong header is refused and not counted.
    const missing = await send(page, { auth: { header: "" } });
    assert.equal(missing.status, 401);
    assert.equal(missing.code, "MISSING_CREDENTIALS");
    const bearer = await send(page, { auth: { header: "Bearer abc" } });
    assert.equal(bearer.code, "UNSUPPORTED_SCHEME");
    await goToKeys(page);
    assert.equal(await stat(page, "Total API calls today"), "2");
  });

  test("a read-only key may GET but its POST gets 403", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId, secret } = await createKey(page, { name: "Reporting (read-only)", readOnly: true });
    assert.match(await page.locator("main").textContent(), /Read-Only/);
    const post = await send(page, { method: "POST", auth: { keyId, secret } });
    assert.equal(post.status, 403);
    assert.equal(post.code, "READ_ONLY_KEY");
    await screenshot(page, "07-api-console-403-read-only");
    const get = await send(page, { method: "GET", auth: { keyId, secret } });
    assert.equal(get.status, 200);
    await goToKeys(page);
    const [row] = await rows(page);
    assert.equal(row.callCount, "1", "only the admitted GET counts");
    assert.equal(
      await page.getByRole("table", { name: "API Keys" }).getByText("Read-Only", { exact: true }).count(),
      1,
    );
  });

  test("reset: OK shows a new secret once; the old one gets 401 INVALID_SECRET, the new one works", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const { keyId, secret: oldSecret } = await createKey(page, { name: "Salesforce Integration" });
    assert.equal((await send(page, { auth: { keyId, secret: oldSecret } })).status, 200);

    await goToKeys(page);
    await page.getByRole("link", { name: "Salesforce Integration" }).click();
    // Cancel changes nothing.
    await page.getByRole("button", { name: "Reset API Key Secret" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset API Key Secret?" });
    await dialog.waitFor();
    await screenshot(page, "08-reset-confirmation");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await secretLocator(page).count(), 0);

    await page.getByRole("button", { name: "Reset API Key Secret" }).click();
    await dialog.getByRole("button", { name: "OK" }).click();
    await secretLocator(page).waitFor();
    const newSecret = (await secretLocator(page).textContent()).trim();
    assert.match(newSecret, SECRET);
    assert.notEqual(newSecret, oldSecret);
    await page.getByText("This is the only time the API Key Secret is visible").waitFor();
    await screenshot(page, "09-new-secret-after-reset");

    const old = await send(page, { auth: { keyId, secret: oldSecret } });
    assert.equal(old.status, 401);
    assert.equal(old.code, "INVALID_SECRET");
    assert.match(old.headers["WWW-Authenticate"] ?? "", /^Basic realm=/);
    // The new secret, as a whole Authorization header built by the client.
    const fresh1 = await send(page, { auth: { header: basic(keyId, newSecret) } });
    assert.equal(fresh1.status, 200);
    assert.equal(fresh1.code, "OK");
    await screenshot(page, "10-api-console-old-secret-401");
  });

  test("a 4th application is refused; Delete (with confirmation) frees the slot", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url);
    const keys = [];
    for (const name of ["Salesforce Integration", "Custom Reporting App", "Data Warehouse Sync"]) {
      keys.push({ name, ...(await createKey(page, { name })) });
    }
    await goToKeys(page);
    assert.equal(await stat(page, "Applications"), "3 of 3");
    const create = page.getByRole("button", { name: "Create an API Key" });
    assert.ok(await create.isDisabled(), "Create an API Key is disabled at 3 applications");
    const why = await page.locator(`#${await create.getAttribute("aria-describedby")}`).textContent();
    assert.match(why, /first delete an existing application/);
    await screenshot(page, "11-api-keys-limit-reached");

    // The form itself (e.g. a stale tab) gets the library's refusal beside it.
    await page.goto(`${server.url}#/api-keys/new`);
    await ready(page);
    await page.getByLabel("Name", { exact: true }).fill("Fourth App");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const errors = page.locator("#create-errors");
    await errors.getByText("APPLICATION_LIMIT_REACHED").waitFor();
    assert.match(await errors.textContent(), /delete an existing application/i);
    await screenshot(page, "12-create-refused-limit");
    await goToKeys(page);
    assert.equal((await rows(page)).length, 3);

    // Delete the second one: Cancel keeps it, OK deletes it.
    await page.getByRole("link", { name: keys[1].name }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    await screenshot(page, "13-delete-confirmation");
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();
    await page.getByRole("status").getByText(`Deleted “${keys[1].name}”`).waitFor();
    assert.deepEqual(
      (await rows(page)).map((r) => r.name),
      [keys[0].name, keys[2].name],
    );
    assert.equal(await stat(page, "Applications"), "2 of 3");
    assert.ok(await create.isEnabled());

    // The deleted key no longer authenticates; the slot takes a new key.
    const gone = await send(page, { auth: { keyId: keys[1].keyId, secret: keys[1].secret } });
    assert.equal(gone.status, 401);
    assert.equal(gone.code, "UNKNOWN_KEY");
    const fourth = await createKey(page, { name: "Fourth App" });
    assert.match(fourth.keyId, KEY_ID);
    await goToKeys(page);
    assert.equal((await rows(page)).length, 3);
  });

  test("a blank name is refused by the library, shown beside the form", async (t) => {
    const context = await fresh(t);
    const page = await openPortal(context, server.url, "#/api-keys/new");
    await page.getByLabel("Name", { exact: true }).fill("   ");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.locator("#create-errors").getByText("INVALID_NAME").waitFor();
    assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
    await screenshot(page, "14-create-blank-name");
    await goToKeys(page);
    assert.equal(await stat(page, "Applications"), "0 of 3");
  });

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

  test("data survive a reload; two pages open at once both see new keys and lose no update", async (t) => {
    const context = await fresh(t);
    const a = await openPortal(context, server.url);
    const b = await openPortal(context, server.url);
    const { keyId } = await createKey(b, { name: "Made in tab B" });
    // Tab A learns of it without a reload (BroadcastChannel).
    await a.getByRole("link", { name: "Made in tab B" }).waitFor();
    assert.equal((await rows(a))[0].keyId, keyId);

    // Both tabs create at the same moment: one readwrite transaction each,
    // so neither overwrites the other.
    for (const [page, name] of [
      [a, "Concurrent A"],
      [b, "Concurrent B"],
    ]) {
      await goToKeys(page);
      await page.getByRole("button", { name: "Create an API Key" }).click();
      await page.getByLabel("Name", { exact: true }).fill(name);
    }
    await Promise.all([a, b].map((p) => p.getByRole("button", { name: "Create", exact: true }).click()));
    await a.getByRole("heading", { level: 1, name: "Concurrent A" }).waitFor();
    await b.getByRole("heading", { level: 1, name: "Concurrent B" }).waitFor();
    await goToKeys(a);
    await goToKeys(b);
    for (const page of [a, b]) {
      await eventually(async () =>
        assert.deepEqual((await rows(page)).map((r) => r.name).sort(), [
          "Concurrent A",
          "Concurrent B",
          "Made in tab B",
        ]),
      );
    }
    await screenshot(a, "16-two-tabs");

    // A reload, and a new page in the same browser: the keys are still there.
    await a.reload();
    await ready(a);
    assert.equal((await rows(a)).length, 3);
    await b.close();
    const c = await openPortal(context, server.url);
    assert.deepEqual((await rows(c)).map((r) => r.keyId).includes(keyId), true);
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
    assert.match(refused.headers["Retry-After"] ?? "", /^\d+$/);
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

  test("at phone width every page fits without sideways scrolling", async (t) => {
    const context = await fresh(t, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await openPortal(context, server.url);
    const { keyId, secret } = await createKey(page, { name: "Salesforce Integration" });
    await screenshot(page, "19-phone-details");
    await send(page, { auth: { keyId, secret } });
    await screenshot(page, "20-phone-console");
    for (const hash of ["#/api-keys", "#/api-keys/new", `#/api-keys/${keyId}`, "#/console"]) {
      await page.goto(`${server.url}${hash}`);
      await ready(page);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= width, `${hash}: ${scroll}px wide in a ${width}px window`);
    }
    await page.goto(`${server.url}#/api-keys`);
    await ready(page);
    await screenshot(page, "21-phone-api-keys");
  });
});
