#!/usr/bin/env node
// A small, dependency-free server for the portal, in one of two modes.
//
// IndexedDB (the default; `node serve.mjs`, scripts/serve.sh): static files.
//   /                      -> www/ (index.html, app/, portal.css)
//   /pkg/...               -> the repository's pkg/ (the built npm package)
//   /vendor/...            -> the ES modules of idb, Chart.js and @kurkle/color from www/node_modules/
//   /config.json           -> { "store": "indexeddb" }
//
// Edge (`scripts/serve.sh --edge`, through dev/edge-stack.mjs): the same
// origin layout as the deployed worker, so the browser talks only to this
// server and never holds a token:
//   /_apikeys/portal/...   -> the same files (config.json: { store: "edge", ... })
//   /_apikeys/accounts/{the demo account}/...
//                          -> proxied to the worker, adding the admin token this
//                             server holds (only for the portal's own requests:
//                             same host, same origin, X-Apikeys-Portal header)
//   every other path       -> proxied to the worker's API gate, status, headers
//                             and body passed through untouched (the console)
//
// It listens on 127.0.0.1 only, on $PORT (default 8080; 0 picks a free port),
// prints the URL and serves until interrupted. Nothing else of www/ (tests,
// node_modules, screenshots, dotfiles) is served.
import { createServer, request as httpRequest } from "node:http";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(fileURLToPath(new URL(".", import.meta.url)));
const modules = join(here, "node_modules");
/** What the portal is made of: [path below the portal's base, directory, allowed first segments (null: any)]. */
export const ROOTS = [
  ["pkg/", join(here, "..", "pkg"), null],
  ["vendor/idb/", join(modules, "idb", "build"), null],
  ["vendor/chart.js/", join(modules, "chart.js", "dist"), null],
  ["vendor/kurkle-color/", join(modules, "@kurkle", "color", "dist"), null],
  ["", here, new Set(["", "index.html", "portal.css", "app", "favicon.svg"])],
];
/** Files served from node_modules: ES modules only (no source maps, no CommonJS). */
const VENDOR_FILE = /\.(?:js|mjs)$/;

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};

const securityHeaders = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/**
 * The Content-Security-Policy of an HTML page: only the portal's own modules
 * run ('wasm-unsafe-eval' lets them compile the wasm), plus the page's inline
 * import map, allowed by its hash. The build for the worker (build-assets.mjs)
 * writes the same policy into its _headers file.
 */
export function csp(html) {
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Maps a URL path below the portal's `base` to a file path, or null when it is not served. */
export function resolvePath(urlPath, base = "/") {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || !decoded.startsWith(base)) return null;
  decoded = decoded.slice(base.length);
  for (const [prefix, dir, allowed] of ROOTS) {
    if (!decoded.startsWith(prefix)) continue;
    let rest = decoded.slice(prefix.length);
    const segments = rest.split("/");
    if (segments.some((s) => s === ".." || s.startsWith("."))) return null;
    if (allowed && !allowed.has(segments[0])) return null;
    if (rest === "" || rest.endsWith("/")) rest += "index.html";
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    if (prefix.startsWith("vendor/") && !VENDOR_FILE.test(file)) return null;
    return file;
  }
  return null;
}

function send(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...securityHeaders });
  res.end(text + "\n");
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...securityHeaders,
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}

async function serveFile(req, res, url, base) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return send(res, 405, "method not allowed");
  }
  const file = resolvePath(url.pathname, base);
  if (!file) return send(res, 404, "not found");
  let info;
  try {
    info = await stat(file);
  } catch {
    if (url.pathname.startsWith(`${base}pkg/`)) {
      return send(res, 404, "not found (build the package first: scripts/build.sh)");
    }
    return send(res, 404, "not found");
  }
  if (!info.isFile()) return send(res, 404, "not found");
  if (extname(file) === ".html") {
    const html = await readFile(file);
    res.writeHead(200, {
      "Content-Type": types[".html"],
      "Content-Length": html.length,
      "Content-Security-Policy": csp(html.toString("utf8")),
      ...securityHeaders,
    });
    return res.end(req.method === "HEAD" ? undefined : html);
  }
  res.writeHead(200, {
    "Content-Type": types[extname(file)] ?? "application/octet-stream",
    "Content-Length": info.size,
    ...securityHeaders,
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Sends `req` on to `target` (a URL) and streams the answer back: status,
 * headers and body as the worker gave them. `headers(raw)` may rewrite the
 * request's headers.
 */
function proxy(req, res, target, rewrite = (h) => h) {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && name !== "host") headers[name] = value;
  }
  const out = httpRequest(
    target,
    { method: req.method, headers: { ...rewrite(headers), host: target.host } },
    (answer) => {
      const passed = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.rawHeaders[i].toLowerCase())) passed.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
      }
      res.writeHead(answer.statusCode, answer.statusMessage, passed);
      answer.pipe(res);
      answer.on("error", () => res.destroy());
    },
  );
  out.on("error", () => {
    if (res.headersSent) return res.destroy();
    sendJson(res, 502, { error: { code: "UPSTREAM_UNAVAILABLE", message: "The edge worker could not be reached." } });
  });
  req.pipe(out);
  res.on("close", () => {
    if (!res.writableFinished) out.destroy();
  });
}

/**
 * The portal's server.
 * @param {object} [options]
 * @param {object} [options.edge] edge mode: { apiUrl, accountId, admin: { id, name, role }, token: () => Promise<string> }
 *   `token()` resolves the bearer token this server adds to the portal's management requests.
 */
export function createPortalServer({ edge = null } = {}) {
  const base = edge ? "/_apikeys/portal/" : "/";
  const accountPath = edge ? `/_apikeys/accounts/${encodeURIComponent(edge.accountId)}` : null;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    try {
      if (!edge) {
        if (url.pathname === "/config.json") return sendJson(res, 200, { store: "indexeddb" });
        return await serveFile(req, res, url, base);
      }
      if (url.pathname === "/_apikeys/portal") {
        res.writeHead(301, { Location: base, ...securityHeaders });
        return res.end();
      }
      if (url.pathname === `${base}config.json`) {
        return sendJson(res, 200, {
          store: "edge",
          auth: "proxy",
          accountId: edge.accountId,
          admin: edge.admin,
          apiUrl: edge.apiUrl,
        });
      }
      if (url.pathname.startsWith(base)) return await serveFile(req, res, url, base);
      if (url.pathname === "/" && !req.headers.authorization && /text\/html/.test(req.headers.accept ?? "")) {
        // A person typing the bare address: the portal. (API clients send credentials or JSON.)
        res.writeHead(302, { Location: base, ...securityHeaders });
        return res.end();
      }
      if (url.pathname.startsWith("/_apikeys/")) return await manage(req, res, url);
      // The API console's calls: the worker's API gate, untouched.
      return proxy(req, res, new URL(url.pathname + url.search, edge.apiUrl));
    } catch (e) {
      if (!res.headersSent) send(res, 500, "internal error");
      else res.destroy();
      console.error(`portal server: ${e?.message ?? e}`);
    }
  });

  /** The portal's management requests: this account only, from the portal's own pages only. */
  async function manage(req, res, url) {
    const { port } = server.address();
    const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    const origin = req.headers.origin;
    const site = req.headers["sec-fetch-site"];
    const ours =
      hosts.has(req.headers.host ?? "") &&
      req.headers["x-apikeys-portal"] === "1" &&
      (origin === undefined || hosts.has(origin.replace(/^http:\/\//, ""))) &&
      (site === undefined || site === "same-origin");
    if (!ours) {
      return sendJson(res, 403, {
        error: { code: "FORBIDDEN", message: "Only the portal's own pages may use its management proxy." },
      });
    }
    if (url.pathname !== accountPath && !url.pathname.startsWith(`${accountPath}/`)) {
      return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "No such management endpoint." } });
    }
    const token = await edge.token();
    return proxy(req, res, new URL(url.pathname + url.search, edge.apiUrl), (headers) => {
      delete headers.cookie;
      delete headers["x-apikeys-portal"];
      return { ...headers, authorization: `Bearer ${token}` };
    });
  }
  return server;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  const server = createPortalServer();
  server.on("error", (e) => {
    console.error(`cannot serve on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () => {
    const { port: actual } = server.address();
    console.log(`API Keys portal: http://127.0.0.1:${actual}/  (Ctrl+C to stop)`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
