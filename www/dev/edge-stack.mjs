// The real thing, locally: the edge worker in local workerd (`wrangler dev`,
// edge/'s pinned devDependency), a small example REST API behind it, and the
// portal's server in edge mode in front of the browser. Used by
// `scripts/serve.sh --edge` (dev/serve-edge.mjs) and by the end-to-end tests.
//
// Secrets are made per run (random ADMIN_TOKEN, ADMIN_JWT_SECRET and
// UPSTREAM_AUTH) and handed to wrangler in a .dev.vars-style file in a fresh
// temporary folder (mode 600), which also holds the Durable Objects' state and
// wrangler's logs; the folder is removed on stop. Nothing is written to the
// repository but the portal's built assets (www/dist, git-ignored), which the
// worker's `assets` setting needs to exist.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPortalServer } from "../serve.mjs";
import { buildAssets } from "../build-assets.mjs";
import { createUpstream } from "./upstream.mjs";

const edgeDir = fileURLToPath(new URL("../../edge/", import.meta.url));
const wranglerBin = join(edgeDir, "node_modules", "wrangler", "bin", "wrangler.js");

/** The demo admin the local server signs in (the audit trail records this id). */
export const DEMO_ADMIN = { id: "avery.admin@example.com", name: "Avery Admin", role: "admin" };
/** Lifetime of the scoped admin tokens the local server mints (the edge allows at most 1 h). */
const TOKEN_TTL_S = 3600;

/** A free loopback port (for the programs that need a number up front). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when something else already listens on 127.0.0.1:port. */
async function assertFree(port, name) {
  const probe = createServer();
  try {
    await listen(probe, port);
  } catch (e) {
    throw new Error(`${name} ${port} is in use (${e.code ?? e.message}): choose another, e.g. ${name}=${port + 1}`);
  } finally {
    await new Promise((r) => probe.close(() => r()));
  }
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * edge/wrangler.jsonc as it is, but for its relative paths (`main`,
 * `assets.directory`), made absolute: wrangler keeps its working files
 * (.wrangler/) beside the configuration it is given, so a copy in the run's
 * temporary folder keeps them out of the repository.
 */
function configCopy(tmp) {
  const text = readFileSync(join(edgeDir, "wrangler.jsonc"), "utf8").replace(
    /("(?:main|directory)"\s*:\s*")([^"]+)(")/g,
    (_, before, path, after) => `${before}${resolve(edgeDir, path)}${after}`,
  );
  const file = join(tmp, "wrangler.jsonc");
  writeFileSync(file, text);
  return file;
}

/**
 * A source of bearer tokens for one account's admin: scoped JWTs minted by
 * the worker (POST /_apikeys/tokens, operator only), renewed five minutes
 * before they expire. The browser never sees the operator's token.
 */
export function adminTokens({ apiUrl, operatorToken, accountId, admin = DEMO_ADMIN, log = () => {} }) {
  let current = null;
  let minting = null;
  async function mint() {
    const response = await fetch(new URL("/_apikeys/tokens", apiUrl), {
      method: "POST",
      headers: { Authorization: `Bearer ${operatorToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ account: accountId, sub: admin.id, role: admin.role, ttlSeconds: TOKEN_TTL_S }),
    });
    const body = await response.json().catch(() => null);
    if (response.ok && typeof body?.token === "string") {
      const expiresAt = typeof body.expiresAt === "number" ? body.expiresAt : Date.parse(body.expiresAt);
      return { token: body.token, renewAt: (Number.isFinite(expiresAt) ? expiresAt : Date.now() + TOKEN_TTL_S * 1000) - 300_000 };
    }
    if ((response.status === 404 && body?.error?.code === "NOT_FOUND") || response.status === 405) {
      // An edge without scoped tokens yet: this same-origin proxy adds the
      // operator's token itself (it still never reaches the browser).
      log("note: this worker cannot mint admin tokens (POST /_apikeys/tokens); the local proxy uses the operator token");
      return { token: operatorToken, renewAt: Infinity };
    }
    throw new Error(`could not mint an admin token: HTTP ${response.status} ${body?.error?.code ?? ""}`.trim());
  }
  return async function token() {
    if (current && Date.now() < current.renewAt) return current.token;
    minting ??= mint().finally(() => {
      minting = null;
    });
    current = await minting;
    return current.token;
  };
}

/** Makes sure the account exists at the edge (PUT /_apikeys/accounts/{id}, operator only). */
export async function ensureAccount({ apiUrl, operatorToken, accountId }) {
  const response = await fetch(new URL(`/_apikeys/accounts/${encodeURIComponent(accountId)}`, apiUrl), {
    method: "PUT",
    headers: { Authorization: `Bearer ${operatorToken}`, "Content-Type": "application/json" },
    body: "{}",
  });
  // 404 NOT_FOUND / 405: an edge where accounts are implicit.
  if (!response.ok && response.status !== 404 && response.status !== 405) {
    throw new Error(`could not create the account ${accountId}: HTTP ${response.status} ${await response.text()}`);
  }
}

/**
 * The portal's server in edge mode for one account, on 127.0.0.1:port (0: any).
 * Resolves { url, port, server, close }.
 */
export async function startPortal({ apiUrl, operatorToken, accountId, admin = DEMO_ADMIN, port = 0, log }) {
  await ensureAccount({ apiUrl, operatorToken, accountId });
  const token = adminTokens({ apiUrl, operatorToken, accountId, admin, log });
  await token();
  const server = createPortalServer({ edge: { apiUrl, accountId, admin, token } });
  const actual = await listen(server, port);
  return {
    url: `http://127.0.0.1:${actual}/_apikeys/portal/`,
    origin: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * Starts the worker (wrangler dev), the example API and the portal's server.
 * @param {{ port?: number, apiPort?: number, accountId?: string, operatorToken?: string, log?: (line: string) => void }} options
 *   port 0 / apiPort 0: free ports. operatorToken: the worker's ADMIN_TOKEN (random per run by default).
 * @returns {Promise<{ portalUrl: string, apiUrl: string, upstreamUrl: string, operatorToken: string,
 *   accountId: string, portal: object, stop: () => Promise<void>, exited: Promise<number> }>}
 */
export async function startEdgeStack({
  port = 8080,
  apiPort = 8787,
  accountId = "demo",
  operatorToken = randomBytes(32).toString("base64url"),
  log = () => {},
} = {}) {
  if (operatorToken.length < 32) throw new Error("the operator token (ADMIN_TOKEN) needs 32+ characters");
  const tmp = mkdtempSync(join(tmpdir(), "apikeys-edge-"));
  const secrets = {
    ADMIN_TOKEN: operatorToken,
    ADMIN_JWT_SECRET: randomBytes(32).toString("base64url"),
    UPSTREAM_AUTH: randomBytes(24).toString("base64url"),
  };
  const started = [];
  const stop = async () => {
    for (const s of started.reverse()) await s().catch(() => {});
    started.length = 0;
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await buildAssets();

    const upstream = createUpstream({ edgeAuth: secrets.UPSTREAM_AUTH });
    const upstreamPort = await listen(upstream, 0);
    started.push(
      () =>
        new Promise((resolve) => {
          upstream.close(() => resolve());
          upstream.closeAllConnections?.();
        }),
    );
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;

    if (port) await assertFree(port, "PORT");
    if (apiPort) await assertFree(apiPort, "API_PORT");
    const workerPort = apiPort || (await freePort());
    const apiUrl = `http://127.0.0.1:${workerPort}`;
    const varsFile = join(tmp, "dev.vars");
    writeFileSync(
      varsFile,
      Object.entries({ ...secrets, UPSTREAM_ORIGIN: upstreamUrl })
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
      { mode: 0o600 },
    );
    const wrangler = spawn(
      process.execPath,
      [
        wranglerBin,
        "dev",
        "--config",
        configCopy(tmp),
        "--ip",
        "127.0.0.1",
        "--port",
        String(workerPort),
        "--inspector-port",
        String(await freePort()),
        "--persist-to",
        join(tmp, "state"),
        "--env-file",
        varsFile,
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
      ],
      {
        cwd: edgeDir,
        detached: true, // its own process group: stop() ends workerd with it
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          // No request.cf data from the network: Miniflare's built-in sample is enough here.
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          WRANGLER_LOG_PATH: join(tmp, "logs"),
          XDG_CONFIG_HOME: join(tmp, "config"),
          NO_COLOR: "1",
          FORCE_COLOR: "0",
        },
      },
    );
    let output = "";
    const keep = (chunk) => {
      output = (output + chunk).slice(-8000);
      for (const line of String(chunk).split("\n")) if (line.trim()) log(`[wrangler] ${line}`);
    };
    wrangler.stdout.on("data", keep);
    wrangler.stderr.on("data", keep);
    const exited = new Promise((resolve) => wrangler.once("exit", (code, signal) => resolve(code ?? signal)));
    started.push(async () => {
      if (wrangler.exitCode !== null || wrangler.signalCode !== null) return;
      try {
        process.kill(-wrangler.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-wrangler.pid, "SIGKILL");
        } catch {
          // gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    });

    // Ready when the management API accepts this run's operator token.
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode}):\n${output}`);
      try {
        const r = await fetch(`${apiUrl}/_apikeys/accounts/${accountId}/keys`, {
          headers: { Authorization: `Bearer ${operatorToken}` },
        });
        await r.arrayBuffer();
        if (r.status === 401) throw new Error(`another server answers on API_PORT ${workerPort}`);
        break;
      } catch (e) {
        if (e.message.startsWith("another server")) throw e;
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`wrangler dev did not become ready:\n${output}`);
      await sleep(250);
    }

    const portal = await startPortal({ apiUrl, operatorToken: secrets.ADMIN_TOKEN, accountId, port, log });
    started.push(() => portal.close());
    return {
      portalUrl: portal.url,
      apiUrl,
      upstreamUrl,
      operatorToken: secrets.ADMIN_TOKEN,
      accountId,
      portal,
      stop,
      exited,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
