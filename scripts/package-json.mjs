// Writes pkg/package.json: the npm package with its `exports` conditions
// (workerd/worker -> synchronous init from the imported module, node -> sync
// init from the file, browser/default -> the web build with `init()`).
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"`, "m"))?.[1];

const pkg = {
  name: "apikeys",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  type: "module",
  main: "./node.js",
  module: "./apikeys.js",
  types: "./apikeys.d.ts",
  sideEffects: ["./node.js", "./workerd.js"],
  files: [
    "apikeys_bg.wasm", "apikeys_bg.wasm.d.ts", "apikeys.js", "apikeys.d.ts",
    "node.js", "node.d.ts", "workerd.js", "workerd.d.ts", "README.md",
  ],
  exports: {
    ".": {
      workerd: { types: "./workerd.d.ts", default: "./workerd.js" },
      worker: { types: "./workerd.d.ts", default: "./workerd.js" },
      node: { types: "./node.d.ts", default: "./node.js" },
      browser: { types: "./apikeys.d.ts", default: "./apikeys.js" },
      default: { types: "./apikeys.d.ts", default: "./apikeys.js" },
    },
    "./web": { types: "./apikeys.d.ts", default: "./apikeys.js" },
    "./apikeys_bg.wasm": "./apikeys_bg.wasm",
    "./package.json": "./package.json",
  },
  keywords: ["api-key", "wasm", "argon2", "basic-auth", "rate-limit", "cloudflare-workers"],
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
