/** A stable error code: `err.code` of an ApiKeyError, `decision.code` of a refusal. */
export type ErrorCode =
  | "MISSING_CREDENTIALS" | "UNSUPPORTED_SCHEME" | "MALFORMED_CREDENTIALS"
  | "UNKNOWN_KEY" | "INVALID_SECRET" | "READ_ONLY_KEY"
  | "DAILY_LIMIT_EXCEEDED" | "CONCURRENCY_LIMIT_EXCEEDED"
  | "INVALID_METHOD" | "INVALID_TIME" | "NOT_ADMIN" | "APPLICATION_LIMIT_REACHED"
  | "INVALID_NAME" | "INVALID_DESCRIPTION" | "INVALID_STATE" | "INVALID_LIMITS"
  | "INVALID_USER_ID" | "INVALID_PASSWORD" | "INVALID_INPUT" | "MALFORMED_HASH"
  | "INVALID_PROFILE" | "RANDOM_UNAVAILABLE" | "STALE_KEY_RECORD";

/** One row of the package's table of codes (`errorInfo`). */
export interface ErrorInfo {
  code: ErrorCode;
  /** The HTTP status of the code as a decision (INVALID_SECRET: 401). */
  status: number;
  /** The operator's text; it never contains a secret. */
  message: string;
}

/** What every function and method of this package throws: a JS `Error` with a stable `code`. */
export interface ApiKeyError extends Error {
  name: "ApiKeyError";
  code: ErrorCode;
}

/** Full access (every method) or read-only (GET, HEAD, OPTIONS). */
export type Access = "full" | "read-only";

/** Who calls a management operation; only `"admin"` may. `id` names who acted, kept whole in the audit trail: up to 64 bytes, no control character, `"` or `\`. */
export interface Actor { role: "admin" | "user" | string; id?: string | null }

/** argon2 cost parameters. */
export interface HashParams { memoryKiB: number; iterations: number; parallelism: number }

/** `"default"` (cheap: m=64 KiB, t=1, p=1, for 256-bit secrets), `"strong"` (OWASP: m=19456, t=2, p=1), or explicit parameters. */
export type Profile = "default" | "strong" | HashParams;

/** The two halves of Basic credentials. */
export interface Credentials { keyId: string; secret: string }

/** An account's limits; every field is optional and defaults to the seed's numbers. */
export interface Limits {
  /** Calls per account per quota window (2500). */
  dailyCalls?: number;
  /** Applications per account (3). */
  maxApplications?: number;
  /** Concurrent connections (live leases) per application (3). */
  maxConnections?: number;
  /** Quota window start, ms after 00:00 UTC (0). */
  quotaResetOffsetMs?: number;
  /** Each key's call-count window start, ms after 00:00 UTC (1800000: 00:30). */
  callCountResetOffsetMs?: number;
  /** Lease time-to-live in ms (60000). */
  leaseTtlMs?: number;
  /** Realm in `WWW-Authenticate` ("apikeys"). */
  realm?: string;
  /** Profile of new hashes; older hashes migrate on their next admitted call (default). */
  hashProfile?: HashParams;
}

/** Options of `account.release`. */
export interface ReleaseOptions {
  /** Give the call back: its unit of the daily quota and of the key's Call Count (once per lease). */
  refund?: boolean;
}

/** What a verifying edge worker caches of a key (`account.keyRecord`). */
export interface CachedKeyRecord {
  keyId: string; secretHash: string; access: Access;
  /** Changes with every change to the record (reset, access change, rehash). */
  version: number;
  /** The hash differs from the account's profile: send the call's header to `authorize`, which migrates it. */
  rehash: boolean;
}

/** What an admin fills in to create a key. */
export interface NewKey { name: string; description?: string | null; readOnly?: boolean | null }

/** What `updateKey` may change; absent fields are kept. `description: null` clears it. */
export interface KeyUpdate { name?: string; description?: string | null; readOnly?: boolean }

/** Options of `usage`. */
export interface UsageOptions {
  /** How many quota windows, 1 to 90 (30). */
  days?: number;
}

/** Refusals after the key's secret verified, by code (401s are never counted). */
export interface RefusalCounts {
  READ_ONLY_KEY: number; DAILY_LIMIT_EXCEEDED: number; CONCURRENCY_LIMIT_EXCEEDED: number;
}

/** One key in one day of `usage`. */
export interface KeyUsage { keyId: string; name: string; calls: number; refused: RefusalCounts }

/** One quota window of `usage`. */
export interface UsageDay {
  /** When the window starts and ends (the next starts), epoch ms. */
  start: number; end: number;
  /** Admitted calls: the keys' `calls` plus `deletedCalls`. */
  total: number;
  /** Every current key, in `listKeys` order. */
  keys: KeyUsage[];
  /** Admitted calls of keys deleted since. */
  deletedCalls: number;
}

/** The result of `usage`: the windows oldest first, the current one last. */
export interface Usage { dailyLimit: number; days: UsageDay[] }

/** What an audit event records. */
export type AuditAction = "key.created" | "secret.reset" | "key.deleted" | "key.updated" | "limits.changed";

/** A field before and after. `{}`: it changed, but its text is not kept (descriptions, the realm). */
export interface Change<T> { from?: T; to?: T }

/** What changed, only the fields that did. Names are cut to 64 bytes of JSON (ending in "…"). */
export interface AuditChanges {
  name?: Change<string>; description?: Change<never>; access?: Change<Access>;
  dailyCalls?: Change<number>; maxApplications?: Change<number>; maxConnections?: Change<number>;
  quotaResetOffsetMs?: Change<number>; callCountResetOffsetMs?: Change<number>; leaseTtlMs?: Change<number>;
  realm?: Change<never>;
  /** As PHC parameters, e.g. "m=19456,t=2,p=1". */
  hashProfile?: Change<string>;
}

/** One management event of `auditLog`. Never a secret or a hash. */
export interface AuditEvent {
  /** When, epoch ms. */
  at: number;
  actor: { role: "admin" | "user"; id?: string };
  action: AuditAction;
  /** The key (absent for `limits.changed`). */
  keyId?: string;
  /** The key's name after the event (absent for `limits.changed`). */
  name?: string;
  /** `key.created`: the access; `key.updated`, `limits.changed`: from and to. */
  changes?: AuditChanges;
}

/** The result of `createKey`: the only time `secret` is visible. */
export interface CreatedKey {
  keyId: string; secret: string; name: string; description: string; access: Access; createdAt: number;
}

/** The result of `resetSecret`: the new secret, visible this once. */
export interface ResetKey { keyId: string; secret: string }

/** One row of the keys page. */
export interface KeyView {
  name: string; description: string; keyId: string; access: Access;
  /** Calls admitted in the key's current window (resets at 00:30 UTC by default). */
  callCount: number;
  /** When the call count next resets, epoch ms. */
  callCountResetsAt: number;
  /** The most recent admitted call, epoch ms, or null. */
  lastCallAt: number | null;
  createdAt: number;
  /** When the secret was last set (create or reset), epoch ms. */
  secretSetAt: number;
  /** Live leases (in-flight calls). */
  activeConnections: number;
}

/** What the keys page shows. */
export interface KeyList {
  callsToday: number; remainingToday: number; dailyLimit: number;
  /** When the quota window resets, epoch ms. */
  resetsAt: number;
  applicationLimit: number; connectionLimit: number;
  keys: KeyView[];
}

/** A stored key record, the input of the stateless `verify`. */
export interface KeyRecord { keyId: string; secretHash: string; access?: Access }

/** The answer to one request. */
export interface Decision {
  ok: boolean;
  /** 200, 401, 403, 429; 400 for an invalid method; 500 for an invalid `now`. */
  status: number;
  code: "OK" | ErrorCode;
  /** The presented key ID, when well-formed. */
  keyId?: string;
  /** The key's access, once its secret verified. */
  access?: Access;
  /** Present when admitted: give it back with `account.release`. */
  leaseId?: string;
  /** Calls the account has left in this window (absent from `verify`). */
  remainingToday?: number;
  /** When the quota window resets, epoch ms (absent from `verify`). */
  resetsAt?: number;
  /** Seconds to wait, on 429. */
  retryAfter?: number;
  /** Headers to send: WWW-Authenticate (401), Retry-After (429), RateLimit-Policy and RateLimit (authenticated). */
  headers: Record<string, string>;
}

/** A decision of `account.authorize`: it always reports the quota (but for INVALID_TIME). */
export interface AccountDecision extends Decision { remainingToday: number; resetsAt: number }

/** A version-1 state (before history and the audit trail): `fromJSON` still reads it. */
export interface AccountStateV1 {
  version: 1;
  limits: Required<Limits>;
  quota: { day: number; calls: number };
  nextLease: number;
  keys: Array<{
    keyId: string; name: string; description: string; access: Access; secretHash: string;
    createdAt: number; secretSetAt: number; callCount: number; callCountDay: number; lastCallAt: number | null;
  }>;
  leases: Array<{ id: string; keyId: string; expiresAt: number; admittedAt?: number }>;
}

/** The versioned state of an account, as `toJSON` writes it: plain data, no secret. */
export interface AccountState extends Omit<AccountStateV1, "version"> {
  version: 2;
  /** Counts per quota window, newest first (index i: window `day - i`), at most 90, trailing zeros left out. */
  history: {
    day: number;
    deleted?: number[];
    keys?: Array<{ keyId: string; calls?: number[]; readOnly?: number[]; dailyLimit?: number[]; concurrency?: number[] }>;
  };
  /** The last 200 management events, oldest first. */
  audit: AuditEvent[];
}
