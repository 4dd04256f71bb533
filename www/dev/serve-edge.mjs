#!/usr/bin/env node
// `scripts/serve.sh --edge`: the worker in local workerd, the example API and
// the portal connected to the worker, until Ctrl+C or SIGTERM, which stop
// everything this started. PORT (8080): the portal; API_PORT (8787): the
// worker's API gate and management API. Both on 127.0.0.1.
import { startEdgeStack } from "./edge-stack.mjs";

function portOf(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
}

const port = portOf("PORT", 8080);
const apiPort = portOf("API_PORT", 8787);
const verbose = process.env.VERBOSE === "1";
let stack = null;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stack?.stop();
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

console.log("Starting the edge worker (wrangler dev, local workerd), the example API and the portal…");
try {
  stack = await startEdgeStack({
    port,
    apiPort,
    accountId: process.env.ACCOUNT_ID ?? "demo",
    // Random per run unless given (a script that also wants to call the management API as the operator).
    operatorToken: process.env.ADMIN_TOKEN || undefined,
    log: (line) => {
      if (verbose || /error|✘/i.test(line)) console.log(line);
    },
  });
} catch (e) {
  console.error(`could not start: ${e.message}`);
  await stop(1);
}
if (stopping) await new Promise(() => {});
stack.exited.then((code) => {
  if (!stopping) {
    console.error(`wrangler dev stopped (${code}); stopping everything`);
    stop(1);
  }
});

console.log(`
  API Keys portal:  ${stack.portalUrl}
  API (the worker): ${stack.apiUrl}/   (every path but /_apikeys/ is the API gate)
  Account:          ${stack.accountId}, signed in as the demo admin (a scoped admin token
                    that this server holds; the browser never sees a token)

  Create a key in the portal, then call the example API through the worker:
    curl -u API_KEY_ID:API_KEY_SECRET ${stack.apiUrl}/api/v1/forms
  (the portal shows this line, ready to copy, right after create and reset)

  State lives in a temporary folder and goes when this stops. Ctrl+C stops everything.
`);
