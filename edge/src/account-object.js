// One Durable Object per account: the single, consistent owner of the
// account's keys, daily quota, call counts and concurrency leases, and of the
// key directory entries of its keys. It keeps the `Account` of the apikeys
// package in memory and writes `toJSON()` to its transactional storage after
// every change, so an eviction or a restart loses nothing.
//
// Concurrency. A method with no `await` runs from start to end with the input
// gate closed: read, check and write of the state cannot interleave with
// another call, and its storage writes (made in one turn) commit atomically.
// Writes are not awaited: the output gate holds every reply until the writes
// made before it are durable, and a failed write resets the object.
// The methods that must talk to the key directory in the middle of a change
// (create, reset, delete of a key, delete of the account, the retry alarm)
// run the whole sequence inside `blockConcurrencyWhile`: no other call,
// authorize included, enters the object until the sequence has ended, and if
// the sequence throws, the object is reset to its last durable state.
//
// The directory and the account stay consistent through an outbox: the IDs of
// keys whose directory entry may differ from what the account holds. A key ID
// goes into the outbox (durably) before the directory is touched, and leaves
// it in the same atomic write that makes the change durable. Whatever is left
// there (a failed call, a crash between two steps) is synced by an alarm every
// DIRECTORY_RETRY_MS until it succeeds: the entry is made to match the
// account's durable state, which means removed when the account does not have
// the key. See edge/README.md, "Keys and the directory under faults".
import { DurableObject } from "cloudflare:workers";
import { Account, parseBasic, verify } from "apikeys";
import { TEST_BUILD, fault } from "./faults.js";

/** How the operator acts on an account (ADMIN_TOKEN). */
export const OPERATOR = Object.freeze({ role: "admin", id: "operator" });

/** Default retry period of directory updates, when DIRECTORY_RETRY_MS is unset. */
const DEFAULT_RETRY_MS = 10_000;

/**
 * @typedef {{ ok: true, value: T, created?: boolean } | { ok: false, code: string, message?: string }} Result
 * @template T
 */

/** @typedef {{ role: string, id?: string }} Actor */

/**
 * The account as the management API shows it.
 * @typedef {{ accountId: string, limits: Record<string, unknown>, createdAt: number | null }} AccountInfo
 */

/**
 * @param {unknown} e
 * @returns {{ ok: false, code: string, message: string }}
 */
function failure(e) {
  const err = /** @type {{ code?: unknown, message?: unknown }} */ (e ?? {});
  if (typeof err.code === "string") return { ok: false, code: err.code, message: String(err.message) };
  throw e;
}

/** Refusals of a verified key, which the package's history counts. */
const COUNTED_REFUSALS = new Set(["READ_ONLY_KEY", "DAILY_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED"]);

// Edge codes; their status and message are in responses.js.
const UNKNOWN_ACCOUNT = Object.freeze({ ok: false, code: "UNKNOWN_ACCOUNT" });
const DIRECTORY_UNAVAILABLE = Object.freeze({ ok: false, code: "DIRECTORY_UNAVAILABLE" });

/**
 * The key ID of a Basic header, or null.
 * @param {string | null} header
 * @returns {string | null}
 */
function keyIdOf(header) {
  try {
    return parseBasic(header).keyId;
  } catch {
    return null;
  }
}

/**
 * The directory object of a key ID.
 * @param {import("./worker.js").Env} env
 * @param {string} keyId
 */
export function directoryOf(env, keyId) {
  return env.KEY_DIRECTORY.get(env.KEY_DIRECTORY.idFromName(keyId));
}

/**
 * An account's Durable Object. Its methods are called over Workers RPC.
 * Management methods return a Result instead of throwing, so the caller
 * gets the stable `code` (RPC keeps only an error's message).
 * @extends {DurableObject}
 */
export class AccountObject extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {import("./worker.js").Env} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {Account | null} null: the account does not exist */
    this.account = null;
    /** @type {{ accountId: string | null, createdAt: number | null }} */
    this.meta = { accountId: null, createdAt: null };
    /** @type {{ accountId: string, keys: string[] } | null} key IDs whose directory entry may be out of date */
    this.outbox = null;
    /** Calls of the API path (read by the tests; kept in storage by the test build only). */
    this.counts = { authorize: 0, authorizeVerified: 0, release: 0, renew: 0 };
    /** A stale entry was seen and the alarm is due now (forgetStaleEntry). */
    this.syncSoon = false;
    const retry = Number(env.DIRECTORY_RETRY_MS);
    this.retryMs = Number.isFinite(retry) && retry > 0 ? retry : DEFAULT_RETRY_MS;
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get(["account", "meta", "outbox"]);
      const state = stored.get("account");
      // A corrupt state throws here: the object fails closed.
      // (An object written before accounts were explicit has a state and no
      // meta: it is an existing account.)
      if (state !== undefined) this.account = Account.fromJSON(state);
      this.meta = stored.get("meta") ?? this.meta;
      this.outbox = stored.get("outbox") ?? null;
      // The test build keeps the counters across evictions of the object.
      if (TEST_BUILD) this.counts = (await ctx.storage.get("counts")) ?? this.counts;
    });
  }

  /**
   * Writes the account's state; made durable before any reply leaves.
   * @returns {any} the state written (null when there is no account)
   */
  save() {
    if (this.account === null) return null;
    const state = this.account.toJSON();
    this.ctx.storage.put("account", state);
    return state;
  }

  /**
   * The account as the management API shows it.
   * @param {string} accountId
   * @returns {AccountInfo}
   */
  info(accountId) {
    const state = /** @type {{ limits: Record<string, unknown> }} */ (/** @type {Account} */ (this.account).toJSON());
    return { accountId, limits: state.limits, createdAt: this.meta.createdAt };
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Creates the account with `limits` (any subset of the package's Limits),
   * or merges `limits` into an existing account's. The worker lets only the
   * operator call this.
   * @param {string} accountId
   * @param {Record<string, unknown> | undefined} limits
   * @returns {Result<AccountInfo>}
   */
  putAccount(accountId, limits) {
    const now = Date.now();
    try {
      if (this.account === null) {
        this.account = limits === undefined ? new Account() : new Account(limits);
        this.meta = { accountId, createdAt: now };
        this.ctx.storage.put("meta", this.meta);
        this.save();
        return { ok: true, created: true, value: this.info(accountId) };
      }
      if (limits !== undefined && Object.keys(limits).length > 0) {
        // Merged into the current limits by the core (admin check included).
        /** @type {any} */ (this.account).setLimits(OPERATOR, limits, now);
        this.save();
        // A new hash profile changes every record's `rehash`: republish them
        // (by the alarm, at once), so that calls migrate their hashes.
        if (this.publishesRecords() && "hashProfile" in limits) {
          for (const k of this.account.listKeys(OPERATOR, now).keys) this.syncNow(accountId, k.keyId);
        }
      }
      return { ok: true, created: false, value: this.info(accountId) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Reads the account. The core's admin check decides who may (listKeys is
   * the cheapest call that makes it).
   * @param {string} accountId
   * @param {Actor} actor
   * @returns {Result<AccountInfo>}
   */
  getAccount(accountId, actor) {
    if (this.account === null) return UNKNOWN_ACCOUNT;
    try {
      this.account.listKeys(actor, Date.now());
      return { ok: true, value: this.info(accountId) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Deletes the account with its keys, and their directory entries. The keys
   * are refused from this call on (the account is gone); their entries are
   * removed now, or by the alarm if the directory fails. The storage is
   * emptied once no entry is left to remove.
   * @param {string} accountId
   * @returns {Promise<Result<null>>}
   */
  deleteAccount(accountId) {
    // blockConcurrencyWhile: nothing else runs here until the entries are handled.
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.account === null) return UNKNOWN_ACCOUNT;
      const keys = this.account.listKeys(OPERATOR, Date.now()).keys.map((k) => k.keyId);
      this.account = null;
      this.meta = { accountId: null, createdAt: null };
      // One turn: the account's removal and the outbox commit together.
      this.ctx.storage.delete(["account", "meta"]);
      this.enqueue(accountId, keys);
      await fault(this.env, "account.drop.saved");
      await this.flushOutbox();
      return { ok: true, value: null };
    });
  }

  // -------------------------------------------------------------------- keys

  /**
   * The keys page: calls today, remaining balance, each key's counts.
   * @param {Actor} actor
   * @returns {Result<import("apikeys").KeyList>}
   */
  listKeys(actor) {
    if (this.account === null) return UNKNOWN_ACCOUNT;
    try {
      return { ok: true, value: this.account.listKeys(actor, Date.now()) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Creates an application and its key. Order: the key is made in memory,
   * its ID goes into the outbox (durable), the directory entry is written,
   * and only then is the key saved (and taken out of the outbox, in the same
   * write). If the directory fails, the key is dropped from memory and the
   * entry removed (now or by the alarm): the caller never gets a secret for
   * a key without an entry, nor for a key that does not exist.
   * @param {string} accountId
   * @param {Actor} actor
   * @param {import("apikeys").NewKey} input
   * @returns {Promise<Result<import("apikeys").CreatedKey>>}
   */
  createKey(accountId, actor, input) {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.account === null) return UNKNOWN_ACCOUNT;
      const before = this.account.toJSON();
      let created;
      try {
        created = this.account.createKey(actor, input, Date.now());
      } catch (e) {
        return failure(e);
      }
      this.enqueue(accountId, [created.keyId]);
      if (!(await this.publish(accountId, created.keyId))) {
        this.account = Account.fromJSON(before);
        await this.flushOutbox(); // removes the entry if the register did happen
        return DIRECTORY_UNAVAILABLE;
      }
      await fault(this.env, "account.create.registered", created.keyId);
      this.save();
      this.dequeue([created.keyId]);
      return { ok: true, value: created };
    });
  }

  /**
   * Replaces a key's secret: the old one is refused from the next call on.
   * @param {string} accountId
   * @param {Actor} actor
   * @param {string} keyId
   * @returns {Promise<Result<import("apikeys").ResetKey>>}
   */
  resetSecret(accountId, actor, keyId) {
    return this.changeKey(accountId, keyId, "account.reset.pushed", (account, now) => account.resetSecret(actor, keyId, now));
  }

  /**
   * Edits a key's name, description or access (`readOnly`).
   * @param {string} accountId
   * @param {Actor} actor
   * @param {string} keyId
   * @param {{ name?: string, description?: string, readOnly?: boolean }} input
   * @returns {Promise<Result<import("apikeys").KeyView>>}
   */
  updateKey(accountId, actor, keyId, input) {
    return this.changeKey(accountId, keyId, "account.update.pushed", (account, now) => account.updateKey(actor, keyId, input, now));
  }

  /**
   * A change of one key that may change its record (reset, access). Order,
   * like create: the change in memory, the key into the outbox, the new
   * record published, then the state saved (and the outbox cleared, in the
   * same write). If the directory fails, the change is dropped and the old
   * record published again (now or by the alarm): 503, nothing changed.
   * @template T
   * @param {string} accountId
   * @param {string} keyId
   * @param {import("./faults.js").FaultPoint} point the fault point between publish and save
   * @param {(account: any, now: number) => T} apply the package call (throws a coded error to refuse)
   * @returns {Promise<Result<T>>}
   */
  changeKey(accountId, keyId, point, apply) {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.account === null) return UNKNOWN_ACCOUNT;
      const before = this.account.toJSON();
      const versionBefore = this.recordOf(keyId)?.version;
      let value;
      try {
        value = apply(this.account, Date.now());
      } catch (e) {
        return failure(e);
      }
      if (this.publishesRecords() && this.recordOf(keyId)?.version !== versionBefore) {
        this.enqueue(accountId, [keyId]);
        if (!(await this.publish(accountId, keyId))) {
          this.account = Account.fromJSON(before);
          await this.flushOutbox(); // publishes the old record again
          return DIRECTORY_UNAVAILABLE;
        }
        await fault(this.env, point, keyId);
        this.dequeue([keyId]);
      }
      this.save();
      return { ok: true, value };
    });
  }

  /**
   * The account's calls per day, oldest first, with each key's calls and
   * refusals (the package's `usage`).
   * @param {Actor} actor
   * @param {{ days?: number }} options
   */
  usage(actor, options) {
    if (this.account === null) return UNKNOWN_ACCOUNT;
    try {
      return { ok: true, value: /** @type {any} */ (this.account).usage(actor, options, Date.now()) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * The newest management events, newest first (the package's `auditLog`).
   * @param {Actor} actor
   */
  auditLog(actor) {
    if (this.account === null) return UNKNOWN_ACCOUNT;
    try {
      return { ok: true, value: /** @type {any} */ (this.account).auditLog(actor, Date.now()) };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Deletes an application. Order: the key leaves the account and enters the
   * outbox in one durable write (from then on every call of it is refused),
   * then the directory entry is removed, now or by the alarm.
   * @param {string} accountId
   * @param {Actor} actor
   * @param {string} keyId
   * @returns {Promise<Result<null>>}
   */
  deleteKey(accountId, actor, keyId) {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.account === null) return UNKNOWN_ACCOUNT;
      try {
        this.account.deleteKey(actor, keyId, Date.now());
      } catch (e) {
        return failure(e);
      }
      this.save();
      this.enqueue(accountId, [keyId]);
      await fault(this.env, "account.delete.saved", keyId);
      await this.flushOutbox();
      return { ok: true, value: null };
    });
  }

  // ------------------------------------------------------------ API traffic

  /**
   * Checks one request with its whole header: the secret is verified here
   * (argon2 in this object). The worker sends only calls whose secret it
   * has verified against a record that needs a rehash, or calls of keys
   * whose directory entry has no record yet (`publish`: then the record is
   * published). Admitted: the call is counted, a lease taken, and the state
   * saved; a hash migrated by the call is published to the directory.
   * Refused: nothing changes, except that a key the directory sent here but
   * this account does not have gets its entry removed.
   * @param {string} accountId
   * @param {string | null} header the Authorization header
   * @param {string} method
   * @param {{ publish?: boolean }} [options]
   * @returns {import("apikeys").AccountDecision & { leaseTtlMs?: number, record?: import("./key-directory.js").KeyRecord }}
   */
  authorize(accountId, header, method, options) {
    this.count("authorize");
    if (this.account === null) {
      const decision = verify(header, method, null);
      this.forgetStaleEntry(accountId, decision, keyIdOf(header));
      return decision;
    }
    const keyId = keyIdOf(header);
    const hashBefore = keyId !== null && this.publishesRecords() ? this.recordOf(keyId)?.secretHash : undefined;
    const decision = this.account.authorize(header, method, Date.now());
    if (decision.ok) {
      const state = this.save();
      const record = keyId !== null && this.publishesRecords() ? this.recordOf(keyId) : null;
      if (record !== null && (options?.publish || record.secretHash !== hashBefore)) {
        this.syncNow(accountId, /** @type {string} */ (keyId));
      }
      // The record as it is now (a migrated hash): the worker caches it, so
      // its next call is verified there, before the directory is updated.
      return { ...decision, leaseTtlMs: state.limits.leaseTtlMs, ...(record !== null ? { record } : {}) };
    }
    this.saveIfCounted(decision);
    this.forgetStaleEntry(accountId, decision, keyId);
    return decision;
  }

  /**
   * Saves after a refusal the account's history counts (a verified key
   * refused for access, quota or concurrency): the usage of each day keeps
   * those refusals by code.
   * @param {{ code: string }} decision
   */
  saveIfCounted(decision) {
    if (COUNTED_REFUSALS.has(decision.code)) this.save();
  }

  /**
   * Checks a call whose secret the worker has verified against the key's
   * record `version`: everything `authorize` does except the secret
   * (version, access by method, concurrency, quota). STALE_KEY_RECORD tells
   * the worker to refresh its record and decide again.
   * @param {string} accountId
   * @param {string} keyId
   * @param {number} version
   * @param {string} method
   * @returns {import("apikeys").AccountDecision & { leaseTtlMs?: number }}
   */
  authorizeVerified(accountId, keyId, version, method) {
    this.count("authorizeVerified");
    if (this.account === null) {
      const decision = { ...verify(null, method, null), code: "UNKNOWN_KEY" };
      this.forgetStaleEntry(accountId, decision, keyId);
      return decision;
    }
    const decision = /** @type {any} */ (this.account).authorizeVerified(keyId, version, method, Date.now());
    if (decision.ok) {
      const state = this.save();
      return { ...decision, leaseTtlMs: state.limits.leaseTtlMs };
    }
    this.saveIfCounted(decision);
    this.forgetStaleEntry(accountId, decision, keyId);
    return decision;
  }

  /**
   * Gives back the lease of a finished call. With `{ refund: true }` (the
   * call never reached the upstream), the call's quota unit and Call Count
   * are given back too.
   * @param {string} leaseId
   * @param {{ refund?: boolean }} [options]
   * @returns {boolean} whether a live lease was held under that ID
   */
  release(leaseId, options) {
    this.count("release");
    if (this.account === null) return false;
    const held = options?.refund
      ? /** @type {any} */ (this.account).release(leaseId, Date.now(), { refund: true })
      : this.account.release(leaseId, Date.now());
    if (held) this.save();
    return held;
  }

  /**
   * Keeps the lease of a running call: it now expires a lease TTL from now.
   * @param {string} leaseId
   * @returns {boolean} whether the lease was live (false: stop renewing)
   */
  renew(leaseId) {
    this.count("renew");
    const account = /** @type {any} */ (this.account);
    if (account === null || typeof account.renew !== "function") return false;
    const live = account.renew(leaseId, Date.now());
    if (live) this.save();
    return live;
  }

  // --------------------------------------------------------------- directory

  /** Whether the core gives key records (and so the directory holds them). */
  publishesRecords() {
    return typeof (/** @type {any} */ (this.account)?.keyRecord) === "function";
  }

  /**
   * What the directory entry of `keyId` should hold: the key's record, or
   * `{}` for a key without records published, or null for a key this
   * account does not have (the entry must go).
   * @param {string} keyId
   */
  recordOf(keyId) {
    const account = /** @type {any} */ (this.account);
    if (account === null) return null;
    if (typeof account.keyRecord === "function") return account.keyRecord(keyId) ?? null;
    return account.listKeys(OPERATOR, Date.now()).keys.some((/** @type {{ keyId: string }} */ k) => k.keyId === keyId)
      ? {}
      : null;
  }

  /**
   * Writes the directory entry of `keyId` to match the account (in memory).
   * @param {string} accountId
   * @param {string} keyId
   * @returns {Promise<boolean>} whether the directory confirmed it
   */
  async publish(accountId, keyId) {
    const record = this.recordOf(keyId);
    const directory = directoryOf(this.env, keyId);
    try {
      if (record === null) {
        await directory.unregister(keyId, accountId);
        return true;
      }
      return await directory.register(keyId, accountId, this.publishesRecords() ? record : null);
    } catch {
      return false;
    }
  }

  /**
   * Adds key IDs to the outbox and makes sure the alarm will sync them.
   * Written in the caller's turn, so it commits with the caller's writes.
   * @param {string} accountId
   * @param {string[]} keyIds
   */
  enqueue(accountId, keyIds) {
    const keys = new Set(this.outbox?.keys ?? []);
    for (const id of keyIds) keys.add(id);
    this.outbox = { accountId, keys: [...keys] };
    this.ctx.storage.put("outbox", this.outbox);
    this.ctx.storage.setAlarm(Date.now() + this.retryMs);
  }

  /**
   * Takes key IDs out of the outbox (their entries match the account).
   * @param {string[]} keyIds
   */
  dequeue(keyIds) {
    if (this.outbox === null) return;
    const done = new Set(keyIds);
    const keys = this.outbox.keys.filter((id) => !done.has(id));
    if (keys.length > 0) {
      this.outbox = { ...this.outbox, keys };
      this.ctx.storage.put("outbox", this.outbox);
      return;
    }
    this.outbox = null;
    this.ctx.storage.delete("outbox");
    this.ctx.storage.deleteAlarm();
    // A deleted account keeps its storage only while entries remain to remove.
    if (this.account === null) this.ctx.storage.deleteAll();
  }

  /**
   * Syncs every key of the outbox with the directory. The ones that fail stay
   * there, and the alarm tries them again in DIRECTORY_RETRY_MS.
   * Runs inside blockConcurrencyWhile (its callers, and the alarm).
   */
  async flushOutbox() {
    if (this.outbox === null) return;
    const { accountId, keys } = this.outbox;
    const done = [];
    for (const keyId of keys) {
      if (await this.publish(accountId, keyId)) done.push(keyId);
    }
    this.dequeue(done);
    if (this.outbox !== null) this.ctx.storage.setAlarm(Date.now() + this.retryMs);
  }

  /**
   * A key the directory sent here, but that this account does not have: its
   * entry is stale (left by a crash or a failed unregister). It is removed
   * at once by the alarm, rather than waiting for the next retry.
   * @param {string} accountId
   * @param {{ code: string }} decision
   * @param {string | null} keyId
   */
  forgetStaleEntry(accountId, decision, keyId) {
    if (decision.code === "UNKNOWN_KEY" && keyId !== null) this.syncNow(accountId, keyId);
  }

  /**
   * Has the alarm sync `keyId`'s directory entry now (it runs in its own
   * blockConcurrencyWhile). At most one alarm write per alarm run, however
   * many calls ask.
   * @param {string} accountId
   * @param {string} keyId
   */
  syncNow(accountId, keyId) {
    if (!this.outbox?.keys.includes(keyId)) this.enqueue(accountId, [keyId]);
    if (this.syncSoon) return;
    this.syncSoon = true;
    this.ctx.storage.setAlarm(Date.now());
  }

  /** The retry of directory updates. */
  async alarm() {
    this.syncSoon = false;
    await this.ctx.blockConcurrencyWhile(() => this.flushOutbox());
  }

  /**
   * Counts one call of the API path (for the tests).
   * @param {"authorize" | "authorizeVerified" | "release" | "renew"} kind
   */
  count(kind) {
    this.counts[kind]++;
    if (TEST_BUILD) this.ctx.storage.put("counts", this.counts);
  }

  /**
   * For the tests: API-path calls of this instance, the outbox, the alarm.
   * @returns {Promise<{ authorize: number, authorizeVerified: number, release: number, renew: number,
   *   outbox: string[], alarmAt: number | null, exists: boolean }>}
   */
  async stats() {
    const alarmAt = await this.ctx.storage.getAlarm();
    return { ...this.counts, outbox: [...(this.outbox?.keys ?? [])], alarmAt, exists: this.account !== null };
  }
}
