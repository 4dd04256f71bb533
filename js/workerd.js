// Cloudflare Workers / workerd entry of the apikeys package: the `.wasm` is
// imported as a compiled WebAssembly.Module (wrangler and miniflare do this
// for `.wasm` imports) and instantiated synchronously, with no fetch at run
// time. `await init()` is accepted (and does nothing).
import wasmModule from "./apikeys_bg.wasm";
import { initSync } from "./apikeys.js";

initSync({ module: wasmModule });

export * from "./apikeys.js";

/** Already initialised: kept for symmetry with the browser entry. */
export default async function init() {}
