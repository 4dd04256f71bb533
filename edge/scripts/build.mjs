// Bundles a worker the way wrangler does: esbuild resolves packages with the
// "workerd" and "worker" export conditions, and every `.wasm` import stays a
// separate module that the runtime loads as a compiled WebAssembly.Module
// (no fetch at run time). Used by the tests and the latency script; `wrangler
// deploy` does the same bundling itself.
//
//   node scripts/build.mjs [entry] [outdir]   (default: src/worker.js -> dist/)
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * @typedef {object} BuiltWorker
 * @property {string} modulesRoot the folder holding the bundle and its wasm
 * @property {Array<{ type: "ESModule" | "CompiledWasm", path: string }>} modules
 *   the main module first, as Miniflare's `modules` option takes them
 * @property {string[]} inputs source files that went into the bundle
 */

/**
 * Bundles `entry` into `outdir` (`worker.js` plus each imported `.wasm`).
 * `define` replaces global identifiers (the test build sets
 * `__APIKEYS_TEST_BUILD__`, see src/faults.js).
 * @param {{ entry?: string, outdir?: string, define?: Record<string, string> }} [options]
 * @returns {Promise<BuiltWorker>}
 */
export async function buildWorker({ entry = "src/worker.js", outdir = "dist", define = {} } = {}) {
  const out = resolve(root, outdir);
  mkdirSync(out, { recursive: true });
  /** @type {Set<string>} */
  const wasm = new Set();
  const result = await build({
    entryPoints: [resolve(root, entry)],
    outfile: resolve(out, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    define,
    metafile: true,
    logLevel: "warning",
    plugins: [
      {
        name: "wasm-module",
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const file = resolve(args.resolveDir, args.path);
            wasm.add(file);
            return { path: `./${basename(file)}`, external: true };
          });
        },
      },
    ],
  });
  const modules = [{ type: /** @type {const} */ ("ESModule"), path: resolve(out, "worker.js") }];
  for (const file of wasm) {
    const target = resolve(out, basename(file));
    copyFileSync(file, target);
    modules.push({ type: "CompiledWasm", path: target });
  }
  return { modulesRoot: out, modules, inputs: Object.keys(result.metafile.inputs) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildWorker({ entry: process.argv[2], outdir: process.argv[3] });
  for (const m of built.modules) console.log(`${m.type}\t${m.path}`);
}
