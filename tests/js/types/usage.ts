// Compiled by api.test.mjs with `tsc --noEmit`: the package's .d.ts must type
// every export of the contract precisely enough for this file to check.
import init, {
  Account, encodeBasic, parseBasic, generateKeyId, isKeyId, generateSecret, isSecret,
  hashSecret, verifySecret, needsRehash, verify, errorInfo, errorCodes,
  type AccountDecision, type ErrorInfo, type CachedKeyRecord, type Limits, type ApiKeyError, type CreatedKey, type Credentials, type Decision,
  type KeyList, type KeyRecord, type AccountState, type ErrorCode, type ResetKey,
  type KeyView, type Usage, type UsageDay, type AuditEvent, type AuditAction, type AccountStateV1,
} from "apikeys";

await init();
const header: string = encodeBasic("Aladdin", "open sesame");
const creds: Credentials = parseBasic(header);
const id: string = generateKeyId();
const ok: boolean = isKeyId(id) && isSecret(generateSecret());
const phc: string = hashSecret(creds.secret, "strong");
const phc2: string = hashSecret(creds.secret, { memoryKiB: 64, iterations: 1, parallelism: 1 });
const same: boolean = verifySecret(creds.secret, phc) && needsRehash(phc2);
const record: KeyRecord = { keyId: id, secretHash: phc, access: "read-only" };
const d: Decision = verify(header, "GET", record);
const dNull: Decision = verify(null, "GET", null);

const account = new Account({ dailyCalls: 10, leaseTtlMs: 30_000 });
const created: CreatedKey = account.createKey({ role: "admin" }, { name: "App", readOnly: true }, Date.now());
const list: KeyList = account.listKeys({ role: "admin" }, Date.now());
const reset: ResetKey = account.resetSecret({ role: "admin" }, created.keyId, Date.now());
const decision: AccountDecision = account.authorize(header, "GET", Date.now());
const remaining: number = decision.remainingToday;
const lease: string | undefined = decision.leaseId;
const released: boolean = account.release(lease, Date.now());
const refunded: boolean = account.release(lease, Date.now(), { refund: true });
const renewed: boolean = account.renew(lease, Date.now());
const limits: Required<Limits> = account.setLimits({ role: "admin", id: "operator" }, { dailyCalls: 5 }, Date.now());
const cached: CachedKeyRecord | null = account.keyRecord(created.keyId);
const verified: AccountDecision = account.authorizeVerified(created.keyId, cached?.version ?? 0, "GET", Date.now());
const info: ErrorInfo | null = errorInfo("INVALID_SECRET");
const codes: ErrorCode[] = errorCodes();
console.log(refunded, renewed, limits.dailyCalls, verified.code, info?.status, codes.length);
account.deleteKey({ role: "admin" }, created.keyId, Date.now());
const state: AccountState = account.toJSON();
const restored: Account = Account.fromJSON(state);
const fromText: Account = Account.fromJSON(JSON.stringify(state));
try {
  account.createKey({ role: "user" }, { name: "x" }, Date.now());
} catch (e) {
  const code: ErrorCode = (e as ApiKeyError).code;
  console.log(code);
}
console.log(ok, phc2, same, d.code, dNull.status, list.remainingToday, reset.secret, remaining, released,
  state.version, restored, fromText, list.keys[0]?.lastCallAt);

// Issue 12: history, audit trail, editing, state version 2.
const editor = { role: "admin", id: "alice@example.com" };
const k2 = account.createKey(editor, { name: "App 2" }, Date.now());
const row: KeyView = account.updateKey(editor, k2.keyId, { name: "Renamed", description: null, readOnly: true }, Date.now());
const row2: KeyView = account.updateKey(editor, k2.keyId, {}, Date.now());
const usage: Usage = account.usage(editor, { days: 90 }, Date.now());
const usageDefault: Usage = account.usage(editor, undefined, Date.now());
const day: UsageDay = usage.days[usage.days.length - 1];
const refusals: number = day.keys[0].refused.READ_ONLY_KEY + day.keys[0].refused.DAILY_LIMIT_EXCEEDED
  + day.keys[0].refused.CONCURRENCY_LIMIT_EXCEEDED + day.deletedCalls + day.total + day.start + day.end;
const events: AuditEvent[] = account.auditLog(editor, Date.now());
const action: AuditAction = events[0].action;
const renamedFrom: string | undefined = events[0].changes?.name?.from;
const by: string | undefined = events[0].actor.id;
const v2: 2 = account.toJSON().version;
const v1: AccountStateV1 = { ...account.toJSON(), version: 1 };
const migrated: Account = Account.fromJSON(v1);
console.log(row.access, row2.name, usageDefault.dailyLimit, refusals, action, renamedFrom, by, v2, migrated);
