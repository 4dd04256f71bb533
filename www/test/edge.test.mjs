// End-to-end tests through the real pieces: the program `scripts/serve.sh
// --edge` runs (dev/serve-edge.mjs: the worker in local workerd through
// wrangler dev, the example REST API, the portal's server), Debian's headless
// Chromium, and curl against the worker. Everything starts here on free
// loopback ports and is stopped at the end (the last test checks that nothing
// is left running). The page checks shared with IndexedDB run here against
// the edge store, each test on its own account.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildAssets } from "../build-assets.mjs";
import { freePort, startPortal } from "../dev/edge-stack.mjs";
import {
  createKey,
  eventually,
  goToKeys,
  launchBrowser,
  newContext,
  openPortal,
  ready,
  screenshot,
  secretLocator,
  send,
  stat,
} from "./helpers.mjs";
import { pageChecks, rows } from "./pages.mjs";

const run = promisify(execFile);
const www = fileURLToPath(new URL("..", import.meta.url));
const edgeDir = fileURLToPath(new URL("../../edge/", import.meta.url));
const wrangler = join(edgeDir, "node_modules", "wrangler", "bin", "wrangler.js");

let stack; // { child, output, portalUrl, apiUrl, port, apiPort, operatorToken }
let browser;

/** Starts `node dev/serve-edge.mjs` (what serve.sh --edge runs after the set-up) and waits for its URLs. */
async function startServeEdge() {
  const [port, apiPort] = [await freePort(), await freePort()];
  // The test makes the run's operator token itself, to call the management API as the operator too.
  const operatorToken = randomBytes(32).toString("base64url");
  const child = spawn(process.execPath, ["dev/serve-edge.mjs"], {
    cwd: www,
    env: { ...process.env, PORT: String(port), API_PORT: String(apiPort), ADMIN_TOKEN: operatorToken },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + 180_000;
  while (!/Ctrl\+C stops everything/.test(output)) {
    if (child.exitCode !== null) throw new Error(`serve-edge exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`serve-edge printed no URLs:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    exited,
    output: () => output,
    portalUrl: /API Keys portal: +(\S+)/.exec(output)[1],
    apiUrl: /API \(the worker\): +(\S+?)\/? /.exec(output)[1],
    port,
    apiPort,
    operatorToken,
  };
}

before(async () => {
  stack = await startServeEdge();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (stack?.child.exitCode === null) {
    stack.child.kill("SIGTERM");
    await stack.exited;
  }
});

async function fresh(t, options) {
  const context = await newContext(browser, options);
  t.after(() => context.close());
  return context;
}

let accounts = 0;
/** A portal server of its own account for one test (the same worker, the same kind of scoped token). */
async function portalFor(t) {
  accounts += 1;
  const portal = await startPortal({
    apiUrl: stack.apiUrl,
    operatorToken: stack.operatorToken,
    accountId: `test-${process.pid}-${accounts}`,
  });
  t.after(() => portal.close());
  return portal.url;
}

/** `curl -u ID:SECRET [-X METHOD] URL`: resolves the HTTP status. */
async function curl(keyId, secret, { method = "GET", path = "/api/v1/forms" } = {}) {
  const { stdout } = await run("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "-X",
    method,
    "-u",
    `${keyId}:${secret}`,
    `${stack.apiUrl}${path}`,
  ]);
  return Number(stdout);
}

const operator = (path, init = {}) =>
  fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${stack.operatorToken}`, "Content-Type": "application/json", ...init.headers },
  });

describe("serve.sh --edge", () => {
  test("prints the portal URL, the API URL and a ready curl line; serves the portal under /_apikeys/portal/", async () => {
    assert.equal(stack.portalUrl, `http://127.0.0.1:${stack.port}/_apikeys/portal/`);
    assert.equal(stack.apiUrl, `http://127.0.0.1:${stack.apiPort}`);
    assert.match(stack.output(), new RegExp(`curl -u API_KEY_ID:API_KEY_SECRET ${stack.apiUrl}/api/v1/forms`));
    assert.ok(!stack.output().includes(stack.operatorToken), "the operator token is never printed");
    const index = await fetch(stack.portalUrl);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-security-policy"), /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    const config = await (await fetch(`${stack.portalUrl}config.json`)).json();
    assert.deepEqual(
      { store: config.store, auth: config.auth, accountId: config.accountId, apiUrl: config.apiUrl },
      { store: "edge", auth: "proxy", accountId: "demo", apiUrl: stack.apiUrl },
    );
    assert.ok(!JSON.stringify(config).includes(stack.operatorToken), "no token in the config");
  });

  test("the management proxy serves only the portal's own requests for its account; the API gate passes through", async () => {
    const origin = `http://127.0.0.1:${stack.port}`;
    const mine = { "X-Apikeys-Portal": "1" };
    assert.equal((await fetch(`${origin}/_apikeys/accounts/demo/keys`, { headers: mine })).status, 200);
    const bare = await fetch(`${origin}/_apikeys/accounts/demo/keys`);
    assert.equal(bare.status, 403, "a request without the portal's header (a form post from elsewhere)");
    assert.equal((await bare.json()).error.code, "FORBIDDEN");
    const foreign = await fetch(`${origin}/_apikeys/accounts/demo/keys`, {
      headers: { ...mine, Origin: "http://evil.example" },
    });
    assert.equal(foreign.status, 403, "another origin");
    // fetch() cannot set Host: a raw request can, as a DNS-rebinding page's would arrive.
    const rebound = await new Promise((resolve, reject) => {
      const req = httpRequest(
        `${origin}/_apikeys/accounts/demo/keys`,
        { headers: { ...mine, Host: `evil.example:${stack.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(rebound, 403, "another host name (DNS rebinding)");
    assert.equal((await fetch(`${origin}/_apikeys/accounts/other/keys`, { headers: mine })).status, 404);
    assert.equal((await fetch(`${origin}/_apikeys/tokens`, { method: "POST", headers: mine })).status, 404);
    // The API gate: the worker's answer, untouched.
    const [viaPortal, direct] = await Promise.all([
      fetch(`${origin}/api/v1/forms`),
      fetch(`${stack.apiUrl}/api/v1/forms`),
    ]);
    assert.equal(viaPortal.status, 401);
    assert.equal(viaPortal.headers.get("www-authenticate"), direct.headers.get("www-authenticate"));
    assert.equal(await viaPortal.text(), await direct.text());
  });

  test("the real thing: portal, curl through the worker, counts, read-only, reset, delete, a second tab in sync", async (t) => {
    const context = await fresh(t, { permissions: ["clipboard-read", "clipboard-write"] });
    const page = await openPortal(context, stack.portalUrl);
    const watcher = await openPortal(context, stack.portalUrl);
    assert.equal(await stat(page, "Remaining daily call balance"), "2,500");

    // 1. An admin creates a full key and a read-only key in the portal.
    const full = await createKey(page, { name: "Salesforce Integration" });
    const curlLine = (await page.locator("#curl-line").textContent()).trim();
    assert.equal(curlLine, `curl -u ${full.keyId}:${full.secret} ${stack.apiUrl}/api/v1/forms`);
    await screenshot(page, "edge-40-details-with-curl");
    const reader = await createKey(page, { name: "Reporting App", readOnly: true });

    // 2. curl -u ID:SECRET through the worker: 200; the portal then shows Call Count 1 and 2,499 remaining.
    const [, ...args] = curlLine.split(" ");
    const { stdout } = await run("curl", ["-sS", "-w", "\n%{http_code}", ...args]);
    assert.match(stdout, /"keyId": "PFK-/, "the example API answered, through the worker");
    assert.equal(stdout.trim().split("\n").at(-1), "200");
    // The second tab follows without a reload (the poll: the call came from outside the browser).
    await eventually(async () => {
      const row = (await rows(watcher)).find((r) => r.keyId === full.keyId);
      assert.equal(row?.callCount, "1");
    }, 15_000);
    assert.equal(await stat(watcher, "Remaining daily call balance"), "2,499");
    await goToKeys(page);
    assert.equal((await rows(page)).find((r) => r.keyId === full.keyId).callCount, "1");
    assert.equal(await stat(page, "Remaining daily call balance"), "2,499");
    await screenshot(page, "edge-41-api-keys-after-curl");

    // 3. The read-only key's POST gets 403 (and its GET 200).
    assert.equal(await curl(reader.keyId, reader.secret, { method: "POST" }), 403);
    assert.equal(await curl(reader.keyId, reader.secret), 200);

    // 4. A reset in the portal: the old secret gets 401 on the very next curl, the new one 200.
    await page.getByRole("link", { name: "Salesforce Integration" }).click();
    await page.getByRole("button", { name: "Reset API Key Secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await secretLocator(page).waitFor();
    const newSecret = (await secretLocator(page).textContent()).trim();
    assert.notEqual(newSecret, full.secret);
    assert.equal(await curl(full.keyId, full.secret), 401);
    assert.equal(await curl(full.keyId, newSecret), 200);

    // 5. After a delete, the key gets 401; 6. the second tab shows it without a reload.
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
    await page.getByRole("heading", { level: 1, name: "API Keys" }).waitFor();
    assert.equal(await curl(full.keyId, newSecret), 401);
    await eventually(async () =>
      assert.deepEqual(
        (await rows(watcher)).map((r) => r.name),
        ["Reporting App"],
      ),
    );
    await screenshot(watcher, "edge-42-second-tab-after-delete");

    // The trail names the demo admin of the scoped token.
    await watcher.goto(`${stack.portalUrl}#/activity`);
    await watcher.getByRole("table", { name: "Activity" }).waitFor();
    const text = await watcher.locator("main").textContent();
    assert.match(text, /avery\.admin@example\.com/);
  });

  test("production: the worker serves the portal; the admin token comes once in the URL fragment", async (t) => {
    assert.ok((await operator("/_apikeys/accounts/prod-like", { method: "PUT", body: "{}" })).ok);
    const minted = await operator("/_apikeys/tokens", {
      method: "POST",
      body: JSON.stringify({ account: "prod-like", sub: "dana@example.com", role: "admin", ttlSeconds: 600 }),
    });
    assert.equal(minted.status, 200, await minted.clone().text());
    const { token } = await minted.json();

    const index = await fetch(`${stack.apiUrl}/_apikeys/portal/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-security-policy") ?? "", /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.deepEqual(await (await fetch(`${stack.apiUrl}/_apikeys/portal/config.json`)).json(), {
      store: "edge",
      auth: "fragment",
    });

    const context = await fresh(t);
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/_apikeys/portal/#token=${token}`);
    await ready(page);
    assert.equal(page.url(), `${stack.apiUrl}/_apikeys/portal/#/api-keys`, "the token left the address bar");
    assert.ok(!(await page.evaluate(() => history.state ?? "")).toString().includes(token));
    const kept = await page.evaluate(() => sessionStorage.getItem("apikeys-portal:admin-session"));
    assert.ok(kept.includes(token), "kept in sessionStorage for this tab");
    assert.match(await page.locator(".signed-in").textContent(), /dana@example\.com/);
    const key = await createKey(page, { name: "Deployed App" });
    assert.equal(
      (await page.locator("#curl-line").textContent()).trim(),
      `curl -u ${key.keyId}:${key.secret} ${stack.apiUrl}/api/v1/forms`,
    );
    // The console's call goes to the same worker, same origin.
    const answer = await send(page, { auth: key });
    assert.equal(answer.status, 200);
    await screenshot(page, "edge-43-deployed-portal-console");
    // A reload keeps the session; a new tab without the link has none.
    await page.reload();
    await ready(page);
    await page.getByRole("heading", { level: 1, name: "API console" }).waitFor();
    assert.equal(await page.getByRole("heading", { level: 1, name: "Sign in again" }).count(), 0);
    const other = await context.newPage();
    await other.goto(`${stack.apiUrl}/_apikeys/portal/`);
    await ready(other);
    await other.getByRole("heading", { level: 1, name: "Sign in again" }).waitFor();
    assert.match(await other.locator(".signed-in").textContent(), /Not signed in/);
    await screenshot(other, "edge-44-deployed-portal-no-session");
  });

  test("wrangler deploy --dry-run succeeds with the portal's assets configured", async () => {
    await buildAssets();
    const out = mkdtempSync(join(tmpdir(), "apikeys-deploy-"));
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [wrangler, "deploy", "--dry-run", "--outdir", join(out, "bundle"), "--config", join(edgeDir, "wrangler.jsonc")],
        {
          cwd: edgeDir,
          env: {
            ...process.env,
            WRANGLER_SEND_METRICS: "false",
            XDG_CONFIG_HOME: join(out, "config"),
            WRANGLER_LOG_PATH: join(out, "logs"),
            NO_COLOR: "1",
          },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const text = `${stdout}\n${stderr}`;
      assert.match(text, /dry-run/i);
      assert.match(text, /env\.ASSETS/, "the assets binding is part of the deployment");
      assert.ok(readdirSync(join(out, "bundle")).some((f) => f.endsWith(".js")), "the worker was bundled");
      assert.ok(existsSync(join(www, "dist", "_apikeys", "portal", "index.html")));
      assert.ok(existsSync(join(www, "dist", "_headers")));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

pageChecks(
  {
    kind: "edge",
    portal: portalFor,
    codes: {
      // What the worker tells a client (it never tells an unknown key from a wrong secret).
      missing: "MISSING_CREDENTIALS",
      scheme: "MISSING_CREDENTIALS",
      invalidSecret: "INVALID_CREDENTIALS",
      unknownKey: "INVALID_CREDENTIALS",
    },
    shot: (name) => `edge-${name}`,
  },
  () => browser,
);

describe("stopping", () => {
  test("SIGTERM stops the worker, the example API and the portal's server: nothing is left running", async () => {
    const ports = [stack.port, stack.apiPort];
    stack.child.kill("SIGTERM");
    assert.equal(await stack.exited, 0);
    for (const port of ports) {
      const open = await new Promise((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
      assert.equal(open, false, `port ${port} is closed`);
    }
  });
});
