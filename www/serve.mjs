#!/usr/bin/env node
// A small, dependency-free static server for the demo portal.
//
//   /                      -> www/ (index.html, app/, portal.css)
//   /pkg/...               -> the repository's pkg/ (the built npm package)
//   /vendor/idb/...        -> www/node_modules/idb/build/ (the idb ES module)
//
// It listens on 127.0.0.1 only, on $PORT (default 8080; 0 picks a free port),
// prints the URL and serves until interrupted. Nothing else of www/ (tests,
// node_modules, screenshots, dotfiles) is served.
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(fileURLToPath(new URL(".", import.meta.url)));
const roots = [
  // [url prefix, directory, allowed first path segments (null: any)]
  ["/pkg/", join(here, "..", "pkg"), null],
  ["/vendor/idb/", join(here, "node_modules", "idb", "build"), null],
  ["/", here, new Set(["", "index.html", "portal.css", "app", "favicon.svg"])],
];

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
 * import map, allowed by its hash.
 */
function csp(html) {
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

/** Maps a URL path to a file path, or null when it is not served. */
export function resolvePath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  for (const [prefix, dir, allowed] of roots) {
    if (!decoded.startsWith(prefix)) continue;
    let rest = decoded.slice(prefix.length);
    const segments = rest.split("/");
    if (segments.some((s) => s === ".." || s.startsWith("."))) return null;
    if (allowed && !allowed.has(segments[0])) return null;
    if (rest === "" || rest.endsWith("/")) rest += "index.html";
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function send(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...securityHeaders });
  res.end(text + "\n");
}

export function createPortalServer() {
  return createServer(async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, 405, "method not allowed");
    }
    const url = new URL(req.url, "http://localhost");
    const file = resolvePath(url.pathname);
    if (!file) return send(res, 404, "not found");
    let info;
    try {
      info = await stat(file);
    } catch {
      if (url.pathname.startsWith("/pkg/")) {
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
  });
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
