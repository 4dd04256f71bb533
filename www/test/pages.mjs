// The portal's page checks, run against both stores: the same steps a person
// takes, in Debian's headless Chromium through playwright-core. `target` says
// which store serves the pages:
//   { kind: "indexeddb" | "edge", portal(t) -> the portal's URL for one test
//     (IndexedDB: each test's browser context has its own database; edge: each
//     test gets its own account), codes: the refusal codes a client sees,
//     shot(name) -> the screenshot's name }
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  basic,
  createKey,
  dumpStorage,
  eventually,
  goToConsole,
  goToKeys,
  goToPage,
  newContext,
  openPortal,
  ready,
  screenshot,
  secretLocator,
  send,
  stat,
} from "./helpers.mjs";

export const KEY_ID = /^PFK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const SECRET = /^pfs_[0-9A-Za-z]{40,}$/;

/** The rows of the API Keys table as { name, keyId, callCount, lastCall }. */
export async function rows(page) {
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


/**
 * @param {{ kind: string, portal: (t) => Promise<string>, codes: Record<string, string>, shot: (n: string) => string }} target
 * @param {() => import("playwright-core").Browser} browser
 */
export function pageChecks(target, browser) {
  /** A fresh context for one test, closed when the test ends. */
  async function fresh(t, options) {
    const context = await newContext(browser(), options);
    t.after(() => context.close());
    return context;
  }
  const edge = target.kind === "edge";

  describe(`API Keys portal (${target.kind} store)`, () => {
    test("create a key: the details page shows the secret once; after a reload or leaving it is gone", async (t) => {
      const context = await fresh(t, { permissions: ["clipboard-read", "clipboard-write"] });
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      assert.equal(await stat(page, "Applications"), "0 of 3");
      await screenshot(page, target.shot("01-api-keys-empty"));

      await page.getByRole("button", { name: "Create an API Key" }).click();
      const name = page.getByLabel("Name", { exact: true });
      assert.equal(await name.getAttribute("placeholder"), "Salesforce Integration");
      assert.equal(await name.getAttribute("required"), "");
      await screenshot(page, target.shot("02-create-an-api-key"));

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
      await screenshot(page, target.shot("03-api-key-details-with-secret"));

      await page.reload();
      await ready(page);
      await page.getByRole("heading", { level: 1, name: "Salesforce Integration" }).waitFor();
      assert.equal(await secretLocator(page).count(), 0, "no API Key Secret after a reload");
      assert.ok(!(await page.content()).includes(secret), "the secret is nowhere in the page");
      assert.equal((await page.locator("#api-key-id").textContent()).trim(), keyId, "the key ID stays visible");
      await screenshot(page, target.shot("04-api-key-details-after-reload"));

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
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const { keyId, secret } = await createKey(page, { name: "Custom Reporting App" });
      await secretLocator(page).waitFor();
      const dump = await dumpStorage(page);
      if (!edge) {
        // The dump is real: it holds the account with this key and its argon2id hash.
        assert.ok(dump.includes(keyId), "the key ID is stored");
        assert.match(dump, /\$argon2id\$/);
      } else {
        // With the edge, the browser keeps nothing of the account (and no token: the local server holds it).
        const { indexedDB, localStorage, sessionStorage } = JSON.parse(dump);
        const kept = JSON.stringify({ indexedDB, localStorage, sessionStorage });
        assert.ok(!kept.includes(keyId), "nothing of the account is stored in the browser");
        assert.ok(!/Bearer|eyJ/.test(kept), "no admin token in the browser");
      }
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
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const { keyId, secret } = await createKey(page, { name: "Salesforce Integration" });
      await goToKeys(page);
      assert.equal(await stat(page, "Total API calls today"), "0");
      assert.equal((await rows(page))[0].lastCall, "Never");

      await goToConsole(page);
      const ok = await send(page, { method: "GET", path: "/api/v1/forms", auth: { keyId, secret } });
      assert.equal(ok.status, 200);
      assert.equal(ok.statusLine, "200 OK");
      assert.equal(ok.code, "OK");
      assert.ok("ratelimit" in ok.headers && "ratelimit-policy" in ok.headers, JSON.stringify(ok.headers));
      if (edge) {
        // A real HTTP answer: the example API's body, through the worker.
        assert.match(await page.locator("#response-body").textContent(), /"keyId": "PFK-/);
      } else {
        assert.equal((await page.locator("#response-remaining").textContent()).trim(), "2,499");
      }
      await screenshot(page, target.shot("05-api-console-200"));

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
      await screenshot(page, target.shot("06-api-keys-after-calls"));

      // A wrong header is refused and not counted.
      const missing = await send(page, { auth: { header: "" } });
      assert.equal(missing.status, 401);
      assert.equal(missing.code, target.codes.missing);
      const bearer = await send(page, { auth: { header: "Bearer abc" } });
      assert.equal(bearer.code, target.codes.scheme);
      await goToKeys(page);
      assert.equal(await stat(page, "Total API calls today"), "2");
    });

    test("a read-only key may GET but its POST gets 403", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const { keyId, secret } = await createKey(page, { name: "Reporting (read-only)", readOnly: true });
      assert.match(await page.locator("main").textContent(), /Read-Only/);
      const post = await send(page, { method: "POST", auth: { keyId, secret } });
      assert.equal(post.status, 403);
      assert.equal(post.code, "READ_ONLY_KEY");
      await screenshot(page, target.shot("07-api-console-403-read-only"));
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

    test("reset: OK shows a new secret once; the old one gets 401, the new one works", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const { keyId, secret: oldSecret } = await createKey(page, { name: "Salesforce Integration" });
      assert.equal((await send(page, { auth: { keyId, secret: oldSecret } })).status, 200);

      await goToKeys(page);
      await page.getByRole("link", { name: "Salesforce Integration" }).click();
      // Cancel changes nothing.
      await page.getByRole("button", { name: "Reset API Key Secret" }).click();
      const dialog = page.getByRole("dialog", { name: "Reset API Key Secret?" });
      await dialog.waitFor();
      await screenshot(page, target.shot("08-reset-confirmation"));
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
      await screenshot(page, target.shot("09-new-secret-after-reset"));

      const old = await send(page, { auth: { keyId, secret: oldSecret } });
      assert.equal(old.status, 401);
      assert.equal(old.code, target.codes.invalidSecret);
      assert.match(old.headers["www-authenticate"] ?? "", /^Basic realm=/);
      // The new secret, as a whole Authorization header built by the client.
      const fresh1 = await send(page, { auth: { header: basic(keyId, newSecret) } });
      assert.equal(fresh1.status, 200);
      assert.equal(fresh1.code, "OK");
      await screenshot(page, target.shot("10-api-console-old-secret-401"));
    });

    test("a 4th application is refused; Delete (with confirmation) frees the slot", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url);
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
      await screenshot(page, target.shot("11-api-keys-limit-reached"));

      // The form itself (e.g. a stale tab) gets the library's refusal beside it.
      await page.goto(`${url}#/api-keys/new`);
      await ready(page);
      await page.getByLabel("Name", { exact: true }).fill("Fourth App");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      const errors = page.locator("#create-errors");
      await errors.getByText("APPLICATION_LIMIT_REACHED").waitFor();
      assert.match(await errors.textContent(), /delete an existing application/i);
      await screenshot(page, target.shot("12-create-refused-limit"));
      await goToKeys(page);
      assert.equal((await rows(page)).length, 3);

      // Delete the second one: Cancel keeps it, OK deletes it.
      await page.getByRole("link", { name: keys[1].name }).click();
      await page.getByRole("button", { name: "Delete" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: "Delete" }).click();
      await screenshot(page, target.shot("13-delete-confirmation"));
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
      assert.equal(gone.code, target.codes.unknownKey);
      const fourth = await createKey(page, { name: "Fourth App" });
      assert.match(fourth.keyId, KEY_ID);
      await goToKeys(page);
      assert.equal((await rows(page)).length, 3);
    });

    test("a blank name is refused by the library, shown beside the form", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url, "#/api-keys/new");
      await page.getByLabel("Name", { exact: true }).fill("   ");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      await page.locator("#create-errors").getByText("INVALID_NAME").waitFor();
      assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
      await screenshot(page, target.shot("14-create-blank-name"));
      await goToKeys(page);
      assert.equal(await stat(page, "Applications"), "0 of 3");
    });

    test("data survive a reload; two pages open at once both see new keys and lose no update", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const a = await openPortal(context, url);
      const b = await openPortal(context, url);
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
      await screenshot(a, target.shot("16-two-tabs"));

      // A reload, and a new page in the same browser: the keys are still there.
      await a.reload();
      await ready(a);
      assert.equal((await rows(a)).length, 3);
      await b.close();
      const c = await openPortal(context, url);
      assert.deepEqual((await rows(c)).map((r) => r.keyId).includes(keyId), true);
    });

    test("usage: no calls yet, then calls: the chart with the limit, values on hover, the table and the CSV", async (t) => {
      const context = await fresh(t, { acceptDownloads: true });
      const url = await target.portal(t);
      const page = await openPortal(context, url, "#/usage");
      assert.equal(await stat(page, "Calls in the last 30 days"), "0");
      if (edge) {
        await page.getByText("No calls yet.").waitFor();
        assert.equal(await page.getByRole("button", { name: "Add sample traffic" }).count(), 0, "a demo-only action");
      } else {
        await page.getByRole("button", { name: "Add sample traffic" }).waitFor();
      }
      await screenshot(page, target.shot("22-usage-empty"));

      const full = await createKey(page, { name: "Salesforce Integration" });
      const reader = await createKey(page, { name: "Reporting App", readOnly: true });
      for (let i = 0; i < 3; i += 1) assert.equal((await send(page, { auth: full })).status, 200);
      assert.equal((await send(page, { auth: reader })).status, 200);
      assert.equal((await send(page, { method: "POST", auth: reader })).status, 403);

      await goToPage(page, "Usage");
      assert.equal(await stat(page, "Calls in the last 30 days"), "4");
      assert.equal(await stat(page, "Refused calls"), "1");
      assert.equal(await stat(page, "Today so far"), "4");
      assert.equal(await page.getByRole("button", { name: "Add sample traffic" }).count(), 0, "only without history");
      const chart = page.getByRole("img", { name: /^Calls per day, last 30 days/ });
      assert.match(await chart.getAttribute("aria-label"), /4 calls in 30 days.*daily limit is 2,500/);
      await screenshot(page, target.shot("23-usage"));

      // Values on hover: the tooltip is drawn over the chart.
      const box = await chart.boundingBox();
      const before = await chart.screenshot();
      await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
      await eventually(async () => assert.notDeepEqual(await chart.screenshot(), before, "the hover draws a tooltip"));
      await screenshot(page, target.shot("24-usage-hover"));

      // Without the limit line the y axis fits the calls.
      await page.mouse.move(0, 0);
      const withLimit = await chart.screenshot();
      await page.getByLabel("Show the daily limit").uncheck();
      await eventually(async () => assert.notDeepEqual(await chart.screenshot(), withLimit, "redrawn to fit the calls"));
      await screenshot(page, target.shot("24b-usage-without-limit-line"));
      await page.getByLabel("Show the daily limit").check();

      // The same numbers as a table, behind a toggle.
      const toggle = page.getByRole("button", { name: "Show as table" });
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      await toggle.click();
      assert.equal(await page.getByRole("button", { name: "Hide table" }).getAttribute("aria-expanded"), "true");
      const table = page.getByRole("table", { name: "Calls per day, last 30 days" });
      const header = await table.locator("thead th").allTextContents();
      assert.deepEqual(header, ["Day (UTC)", "Salesforce Integration", "Reporting App", "Total calls", "Refused calls", "Daily limit"]);
      assert.equal(await table.locator("tbody tr").count(), 30);
      const today = new Date().toISOString().slice(0, 10);
      assert.deepEqual(await table.locator("tbody tr").first().locator("th, td").allTextContents(), [today, "3", "1", "4", "1", "2,500"]);
      await screenshot(page, target.shot("25-usage-table"));

      // Download CSV.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^api-calls-\d{4}-\d\d-\d\d\.csv$/);
      const csv = await readFile(await download.path(), "utf8");
      const lines = csv.trimEnd().split("\r\n");
      assert.equal(lines[0], "Day (UTC),Salesforce Integration,Reporting App,Total calls,Refused calls,Daily limit");
      assert.equal(lines.length, 31);
      assert.equal(lines.at(-1), `${today},3,1,4,1,2500`);

      // By application, with refusals by code.
      const byApp = page.getByRole("table", { name: "Calls by application" });
      const readerRow = byApp.getByRole("row", { name: /Reporting App/ });
      assert.deepEqual(await readerRow.locator("td").allTextContents(), ["1", "1", "0", "0"]);
    });

    test("key details: its 30-day chart with refusals; edit name, description and access", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const key = await createKey(page, { name: "Salesforce Integration", description: "Syncs opportunities" });
      for (let i = 0; i < 2; i += 1) assert.equal((await send(page, { auth: key })).status, 200);
      await page.goto(`${url}#/api-keys/${key.keyId}`);
      await ready(page);
      const chart = page.getByRole("img", { name: /^Salesforce Integration: calls per day/ });
      assert.match(await chart.getAttribute("aria-label"), /2 admitted and 0 refused calls in 30 days/);

      // Edit: name, description and access.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.getByRole("heading", { level: 1, name: "Edit “Salesforce Integration”" }).waitFor();
      await page.getByLabel("Name", { exact: true }).fill("   ");
      await page.getByRole("button", { name: "Save" }).click();
      await page.locator("#edit-errors").getByText("INVALID_NAME").waitFor();
      assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
      await page.getByLabel("Name", { exact: true }).fill("Salesforce Sync");
      await page.getByLabel("Description").fill("Syncs opportunities hourly");
      await page.getByRole("group", { name: "Access" }).getByLabel("Read-Only").check();
      await screenshot(page, target.shot("26-edit-api-key"));
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("heading", { level: 1, name: "Salesforce Sync" }).waitFor();
      await page.getByRole("status").getByText("Saved “Salesforce Sync”.").waitFor();
      const main = await page.locator("main").textContent();
      assert.match(main, /Syncs opportunities hourly/);
      assert.match(main, /Read-Only/);
      assert.equal((await page.locator("#api-key-id").textContent()).trim(), key.keyId, "the same key");

      // The access change applies from the next call; the secret still works for GET.
      assert.equal((await send(page, { method: "POST", auth: key })).status, 403);
      assert.equal((await send(page, { method: "GET", auth: key })).status, 200);
      await page.goto(`${url}#/api-keys/${key.keyId}`);
      await ready(page);
      await page.getByRole("button", { name: "Show as table" }).click();
      const table = page.getByRole("table", { name: /^Salesforce Sync: calls per day/ });
      assert.deepEqual(await table.locator("thead th").allTextContents(), [
        "Day (UTC)",
        "Admitted calls",
        "Refused: read-only",
        "Refused: daily limit",
        "Refused: connections",
      ]);
      assert.deepEqual((await table.locator("tbody tr").first().locator("td").allTextContents()), ["3", "1", "0", "0"]);
      await screenshot(page, target.shot("27-api-key-details-chart"));

      // The edit is in the trail, with what changed (a description's text is not kept there).
      await page.getByRole("link", { name: "Activity of this key" }).click();
      const edited = page.getByRole("table", { name: "Activity" }).locator("tbody tr").first();
      await edited.getByText("Edited API key").waitFor();
      assert.deepEqual(await edited.locator(".changes li").allTextContents(), [
        "Name: Salesforce Integration → Salesforce Sync",
        "Description changed",
        "Access: Full access → Read-Only",
      ]);
    });

    test("activity: who did what, newest first, filterable by key, never a secret", async (t) => {
      const context = await fresh(t);
      const url = await target.portal(t);
      const page = await openPortal(context, url, "#/activity");
      await page.getByText("No activity yet").waitFor();
      const a = await createKey(page, { name: "Salesforce Integration" });
      const b = await createKey(page, { name: "Custom Reporting App" });
      await page.goto(`${url}#/api-keys/${a.keyId}`);
      await ready(page);
      await page.getByRole("button", { name: "Reset API Key Secret" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
      await secretLocator(page).waitFor();
      const newSecret = (await secretLocator(page).textContent()).trim();
      await page.goto(`${url}#/api-keys/${b.keyId}`);
      await ready(page);
      await page.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
      await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();

      await goToPage(page, "Activity");
      const table = page.getByRole("table", { name: "Activity" });
      // [time, action (its badge), key, by], and what changed under the action.
      const events = await table.locator("tbody tr").evaluateAll((trs) =>
        trs.map((tr) => {
          const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
          cells[1] = tr.querySelector("td .badge").textContent.trim();
          cells.push([...tr.querySelectorAll(".changes li")].map((li) => li.textContent.trim()));
          return cells;
        }),
      );
      assert.deepEqual(
        events.map((e) => e[1]),
        ["Deleted API key", "Reset API Key Secret", "Created API key", "Created API key"],
      );
      assert.match(events[0][2], /Custom Reporting App/);
      assert.match(events[1][2], new RegExp(a.keyId));
      assert.match(events[0][3], /avery\.admin@example\.com/);
      assert.match(events[0][3], /Admin/);
      assert.deepEqual(events[3][4], ["Access: Full access"], "what a create set");
      const text = await page.locator("main").textContent();
      for (const secret of [a.secret, b.secret, newSecret]) assert.ok(!text.includes(secret), "no secret in the trail");
      assert.ok(!/\$argon2/.test(text), "no hash in the trail");
      await screenshot(page, target.shot("28-activity"));

      // Filter by key (deleted keys too).
      await page.getByLabel("API key", { exact: true }).selectOption({ label: "Salesforce Integration" });
      await eventually(async () => assert.equal(await table.locator("tbody tr").count(), 2));
      assert.match(page.url(), new RegExp(`#/activity\\?key=${a.keyId}$`));
      await page.getByLabel("API key", { exact: true }).selectOption({ label: "Custom Reporting App (deleted)" });
      await eventually(async () => assert.equal(await table.locator("tbody tr").count(), 2));
      await screenshot(page, target.shot("29-activity-filtered"));
    });

    test("at phone width every page fits without sideways scrolling", async (t) => {
      const context = await fresh(t, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const url = await target.portal(t);
      const page = await openPortal(context, url);
      const { keyId, secret } = await createKey(page, { name: "Salesforce Integration" });
      await screenshot(page, target.shot("19-phone-details"));
      await send(page, { auth: { keyId, secret } });
      await screenshot(page, target.shot("20-phone-console"));
      await send(page, { method: "POST", auth: { keyId, secret } });
      const pages = [
        "#/api-keys",
        "#/api-keys/new",
        `#/api-keys/${keyId}`,
        `#/api-keys/${keyId}/edit`,
        "#/usage",
        "#/activity",
        `#/activity?key=${keyId}`,
        "#/console",
      ];
      for (const hash of pages) {
        await page.goto(`${url}${hash}`);
        await ready(page);
        const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scroll <= width, `${hash}: ${scroll}px wide in a ${width}px window`);
        if (hash === "#/usage") {
          await page.getByRole("button", { name: "Show as table" }).click();
          const [wide] = await page.evaluate(() => [document.documentElement.scrollWidth]);
          assert.ok(wide <= width, `the usage table scrolls inside its box (${wide}px)`);
          await screenshot(page, target.shot("30-phone-usage"));
        }
        if (hash === "#/activity") await screenshot(page, target.shot("31-phone-activity"));
        if (hash === `#/api-keys/${keyId}`) await screenshot(page, target.shot("32-phone-details-chart"));
      }
      await page.goto(`${url}#/api-keys`);
      await ready(page);
      await screenshot(page, target.shot("21-phone-api-keys"));
    });
  });
}
