// Fault injection for the tests, and nothing in production.
//
// The test build (test/harness.mjs) bundles with the esbuild define
// `__APIKEYS_TEST_BUILD__ = true` and binds `FAULTS` to a test-only Durable
// Object (test/fixtures/test-worker.js). In any other build, including
// `wrangler deploy`, the identifier is undefined, TEST_BUILD is false, and
// `fault()` returns at once without looking at the environment.
/* global __APIKEYS_TEST_BUILD__ */

/** Whether this bundle was built by the test harness. */
// @ts-ignore: defined by the test build only
export const TEST_BUILD = typeof __APIKEYS_TEST_BUILD__ !== "undefined" && __APIKEYS_TEST_BUILD__ === true;

/**
 * The named points where a test can make the code throw:
 * - "directory.register", "directory.unregister": the KeyDirectory object throws
 *   before it changes anything
 * - "directory.register.after": it throws after writing the entry (a lost reply)
 * - "account.create.registered": between the directory register and the account's save
 * - "account.reset.pushed", "account.update.pushed": between the directory update and the account's save
 * - "account.delete.saved": between the account's save and the directory unregister
 * - "account.drop.saved": between an account's removal and its keys' unregisters
 * @typedef {"directory.register" | "directory.register.after" | "directory.unregister" | "account.create.registered"
 *   | "account.reset.pushed" | "account.update.pushed" | "account.delete.saved" | "account.drop.saved"} FaultPoint
 */

/**
 * Throws if the test harness armed `point`. No-op outside the test build.
 * Every pass is logged in the plan with `detail` (a key ID), so the tests
 * know which keys a failed operation touched.
 * @param {{ FAULTS?: DurableObjectNamespace }} env
 * @param {FaultPoint} point
 * @param {string} [detail]
 */
export async function fault(env, point, detail) {
  if (!TEST_BUILD || !env.FAULTS) return;
  const plan = /** @type {any} */ (env.FAULTS.get(env.FAULTS.idFromName("plan")));
  if (await plan.take(point, detail)) throw new Error(`injected fault at ${point}`);
}

/**
 * Counts one event under `name` and `detail` in the test build's plan (for
 * counters that must survive evictions of the object that counts, and be
 * read in one call). No-op outside the test build.
 * @param {{ FAULTS?: DurableObjectNamespace }} env
 * @param {string} name
 * @param {string} detail
 */
export async function tally(env, name, detail) {
  if (!TEST_BUILD || !env.FAULTS) return;
  await /** @type {any} */ (env.FAULTS.get(env.FAULTS.idFromName("plan"))).tally(name, detail);
}
