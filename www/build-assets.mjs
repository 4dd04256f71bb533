#!/usr/bin/env node
// Builds the portal for the edge worker's Workers Static Assets:
//
//   www/dist/_apikeys/portal/   index.html, app/, portal.css, favicon.svg,
//                               pkg/ (the package's browser entry and wasm),
//                               vendor/ (idb, Chart.js, @kurkle/color),
//                               config.json { store: "edge", auth: "fragment" }
//   www/dist/_headers           the Content-Security-Policy and the other
//                               security headers, as serve.mjs sends them
//
// edge/wrangler.jsonc points its `assets.directory` here; the worker serves
// these files under /_apikeys/portal/ (and nothing else from assets). Run it
// before `wrangler deploy` (and `wrangler dev`): `node www/build-assets.mjs`.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOTS, csp } from "./serve.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
export const DIST = join(here, "dist");
export const BASE = "/_apikeys/portal/";

/** Files of the package the browser needs (not its Node or workerd entries, nor types). */
const PKG_FILES = new Set(["apikeys.js", "apikeys_bg.wasm"]);

export async function buildAssets({ out = DIST } = {}) {
  const pkg = ROOTS.find(([p]) => p === "pkg/")[1];
  if (!existsSync(join(pkg, "apikeys_bg.wasm"))) throw new Error("pkg/ is not built: run scripts/build.sh first");
  const target = join(out, ...BASE.split("/").filter(Boolean));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const [prefix, dir, allowed] of ROOTS) {
    const to = join(target, prefix);
    mkdirSync(to, { recursive: true });
    if (prefix === "pkg/") {
      for (const f of PKG_FILES) cpSync(join(dir, f), join(to, f));
    } else if (prefix.startsWith("vendor/")) {
      cpSync(dir, to, {
        recursive: true,
        filter: (src) => !src.endsWith(".map") && (!/\.[a-z]+$/.test(src) || /\.(js|mjs)$/.test(src)),
      });
    } else {
      for (const name of allowed) {
        if (name) cpSync(join(dir, name), join(to, name), { recursive: true });
      }
    }
  }
  writeFileSync(join(target, "config.json"), `${JSON.stringify({ store: "edge", auth: "fragment" })}\n`);
  const html = readFileSync(join(target, "index.html"), "utf8");
  const headers = [
    `${BASE}*`,
    `  Content-Security-Policy: ${csp(html)}`,
    "  X-Content-Type-Options: nosniff",
    "  Referrer-Policy: no-referrer",
    "  Cache-Control: no-cache",
    "",
  ].join("\n");
  writeFileSync(join(out, "_headers"), headers);
  return { out, files: count(out) };
}

function count(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? count(join(dir, entry.name)) : 1;
  }
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const outArg = process.argv.indexOf("--out");
  const { out, files } = await buildAssets(outArg > 0 ? { out: process.argv[outArg + 1] } : {});
  console.log(`built the portal's assets: ${files} files in ${out}`);
}
