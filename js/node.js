// Node entry of the apikeys package: instantiates the wasm synchronously
// from the file beside this one, so `import { Account } from "apikeys"` is
// ready to use at once. `await init()` is accepted (and does nothing) so code
// written for the browser entry runs unchanged.
import { readFileSync } from "node:fs";
import { initSync } from "./apikeys.js";

initSync({ module: readFileSync(new URL("./apikeys_bg.wasm", import.meta.url)) });

export * from "./apikeys.js";

/** Already initialised: kept for symmetry with the browser entry. */
export default async function init() {}
