// Helpers for the portal's end-to-end tests: the static server on a free
// loopback port, Debian's headless Chromium through playwright-core, and the
// steps a person takes in the portal (by role and label).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const www = fileURLToPath(new URL("..", import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/** Starts serve.mjs on a free port (PORT=0); resolves { url, stop }. */
export function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["serve.mjs"], {
      cwd: www,
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve.mjs printed no URL: ${out}`));
    }, 10_000);
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[0],
          stop: () =>
            new Promise((done) => {
              child.once("exit", done);
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => (out += c));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited (${code}): ${out}`));
    });
  });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A fresh browser context (its own IndexedDB and localStorage), in a time zone
 * away from UTC so local and UTC times differ. Collects console output and
 * page errors of every page it opens.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    timezoneId: "America/Toronto",
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.logs = [];
  context.on("page", (page) => watch(page, context.logs));
  return context;
}

function watch(page, logs) {
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
}

/** Opens the portal at `hash` and waits until it has rendered. */
export async function openPortal(context, url, hash = "#/api-keys") {
  const page = await context.newPage();
  await page.goto(`${url}${hash}`);
  await ready(page);
  return page;
}

export async function ready(page) {
  await page.locator("html[data-ready]").waitFor({ state: "attached", timeout: 15_000 });
  await page.locator("main h1").first().waitFor();
}

/** Polls `check` (which throws until satisfied) for up to `timeout` ms. */
export async function eventually(check, timeout = 5000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

export const secretLocator = (page) => page.getByLabel("API Key Secret", { exact: true });

/** Users & Groups > API Keys, through the navigation. */
export async function goToKeys(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API Keys" }).click();
  await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();
}

/** Users & Groups > Usage or Activity, through the navigation. */
export async function goToPage(page, name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

export async function goToConsole(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API console" }).click();
  await page.getByRole("heading", { level: 1, name: "API console" }).waitFor();
}

/**
 * Follows the seed's steps: API Keys > Create an API Key, Name, Description,
 * Read-Only, Create. Resolves what the details page shows: { keyId, secret }.
 */
export async function createKey(page, { name, description = "", readOnly = false }) {
  await goToKeys(page);
  await page.getByRole("button", { name: "Create an API Key" }).click();
  await page.getByRole("heading", { level: 1, name: "Create an API Key" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill(name);
  if (description) await page.getByLabel("Description").fill(description);
  if (readOnly) await page.getByRole("group", { name: "Access" }).getByLabel("Read-Only").check();
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  const secret = (await secretLocator(page).textContent()).trim();
  const keyId = (await page.locator("#api-key-id").textContent()).trim();
  return { keyId, secret };
}

/**
 * Sends one request from the API console. `auth` is { keyId, secret } or
 * { header }. Resolves { status, code, headers (names in lower case) } as the page shows them.
 */
export async function send(page, { method = "GET", path, auth, hold = false }) {
  if (!(await page.getByRole("heading", { level: 1, name: "API console" }).isVisible())) await goToConsole(page);
  await page.getByLabel("Method").selectOption(method);
  if (path) await page.getByLabel("Path").fill(path);
  if (auth?.header !== undefined) {
    await page.getByLabel("Paste an Authorization header").check();
    await page.getByLabel("Authorization header", { exact: true }).fill(auth.header);
  } else {
    await page.getByLabel("API Key ID and Secret").check();
    await page.getByLabel("API Key ID", { exact: true }).fill(auth?.keyId ?? "");
    await page.getByLabel("API Key Secret", { exact: true }).fill(auth?.secret ?? "");
  }
  const holdBox = page.getByLabel("Hold connection open");
  if (hold) await holdBox.check();
  else if (await holdBox.count()) await holdBox.uncheck();
  const response = page.locator(".response-body");
  const before = Number((await response.getAttribute("data-seq")) ?? 0);
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(`.response-body[data-seq="${before + 1}"]`).waitFor();
  const statusLine = (await page.locator("#response-status").textContent()).trim();
  const codeEl = page.locator("#response-code");
  const code = (await codeEl.count()) ? (await codeEl.textContent()).trim() : null;
  const headers = {};
  const rows = page.getByRole("table", { name: "Response headers" }).locator("tbody tr");
  for (let i = 0; i < (await rows.count()); i += 1) {
    const row = rows.nth(i);
    headers[(await row.locator("th").textContent()).trim().toLowerCase()] = (await row.locator("td").textContent()).trim();
  }
  return { status: Number(statusLine.split(" ")[0]), statusLine, code, headers };
}

/** The figure shown in a stat card of the API Keys page. */
export async function stat(page, label) {
  return (await page.getByRole("group", { name: label }).locator(".stat-value").textContent()).trim();
}

/** Everything the browser keeps for the origin: IndexedDB, Web Storage, URL, history. */
export function dumpStorage(page) {
  return page.evaluate(async () => {
    const out = {
      indexedDB: {},
      localStorage: {},
      sessionStorage: {},
      url: location.href,
      history: [history.length, history.state],
    };
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      out.indexedDB[name] = {};
      for (const storeName of db.objectStoreNames) {
        const tx = db.transaction(storeName);
        const store = tx.objectStore(storeName);
        const [keys, values] = await Promise.all(
          [store.getAllKeys(), store.getAll()].map((r) => new Promise((res) => (r.onsuccess = () => res(r.result)))),
        );
        out.indexedDB[name][storeName] = keys.map((k, i) => [k, values[i]]);
      }
      db.close();
    }
    for (const area of ["localStorage", "sessionStorage"]) {
      for (let i = 0; i < window[area].length; i += 1) {
        const k = window[area].key(i);
        out[area][k] = window[area].getItem(k);
      }
    }
    return JSON.stringify(out);
  });
}

/** Writes `value` as the portal's account record, behind the portal's back. */
export function writeRecord(page, value) {
  return page.evaluate(
    (v) =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open("apikeys-portal", 1);
        r.onupgradeneeded = () => r.result.createObjectStore("account");
        r.onsuccess = () => {
          const db = r.result;
          const tx = db.transaction("account", "readwrite");
          tx.objectStore("account").put(v, "state");
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        r.onerror = () => reject(r.error);
      }),
    value,
  );
}

export const basic = (keyId, secret) => `Basic ${Buffer.from(`${keyId}:${secret}`, "utf8").toString("base64")}`;
