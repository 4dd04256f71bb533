// The portal's data layer: ONE interface, two stores. Views call only these
// methods and never know which store answers (nor touch an Account):
//
//   store.kind                        "indexeddb" | "edge"
//   store.features                    { switchUser, heldConnections, sampleTraffic, startOver, curl }
//   store.subscribe(fn)               fn() when the data may have changed elsewhere
//   await store.listKeys()            KeyList: callsToday, remainingToday, dailyLimit, resetsAt,
//                                     applicationLimit, connectionLimit, keys[]
//   await store.createKey(input)      CreatedKey + secretSetAt (the secret: only here)
//   await store.resetSecret(keyId)    { keyId, secret, secretSetAt }
//   await store.deleteKey(keyId)
//   await store.updateKey(keyId, { name?, description?, readOnly? })   the key's row
//   await store.usage({ days })       { dailyLimit, days: [{ start, end, total, keys[], deletedCalls }] }
//   await store.auditLog()            [{ at, actor, action, keyId?, name?, changes? }] newest first
//   await store.send({ method, path, authorization, hold })
//                                     the API console's call: { status, statusText, code, headers, body, decision }
//   features.heldConnections:         await store.connections(), await store.release(leaseIds)
//   features.sampleTraffic:           await store.addSampleTraffic({ onProgress })
//   features.startOver:               await store.startOver()
//
// Refusals are thrown as the package throws them (ApiKeyError: `code` and the
// package's message); StateError, SessionError and ConnectionError (errors.js)
// mean the data cannot be reached at all and get a problem page.
//
// Which store: `config.json` beside index.html. None (the plain static
// server) means IndexedDB; `serve.sh --edge` and the deployed worker say edge.
import init from "apikeys";
import { IndexedDbStore } from "./stores/indexeddb.js";
import { EdgeStore } from "./stores/edge.js";
import { adminSession } from "./session.js";

export { StateError, SessionError, ConnectionError, isFatal } from "./stores/errors.js";

/** The portal's configuration (config.json), or the IndexedDB default. */
export async function loadConfig() {
  try {
    const response = await fetch("config.json", { cache: "no-store", credentials: "same-origin" });
    if (response.ok) return await response.json();
  } catch {
    // No server of our own: the IndexedDB demo.
  }
  return { store: "indexeddb" };
}

/**
 * Loads the wasm package and opens the configured store.
 * @param {object} config from loadConfig()
 * @param {{ actor: () => object }} app who is signed in (the IndexedDB store asks on every call)
 */
export async function openStore(config, { actor }) {
  await init();
  if (config.store === "edge") {
    if (config.auth === "fragment") {
      // Production: the operator's app opened the portal with an admin token.
      const session = adminSession();
      return new EdgeStore({ accountId: session.accountId, token: session.token, session });
    }
    // serve.sh --edge: the local server holds the token and proxies.
    return new EdgeStore({
      accountId: config.accountId,
      apiUrl: config.apiUrl,
      session: {
        accountId: config.accountId,
        id: config.admin?.id,
        name: config.admin?.name,
        role: config.admin?.role ?? "admin",
      },
    });
  }
  return new IndexedDbStore({ actor });
}
