// Must NOT compile: proves the .d.ts types are precise, not `any`.
import { Account } from "apikeys";
const account = new Account();
// @ts-expect-error a decision's `code` is a string union, not a number
const n: number = account.authorize("Basic x", "GET", 0).code;
// @ts-expect-error createKey needs a name
account.createKey({ role: "admin" }, { readOnly: true }, 0);
// @ts-expect-error access is "full" | "read-only"
const a: "admin" = account.listKeys({ role: "admin" }, 0).keys[0].access;
// @ts-expect-error updateKey takes no unknown fields
account.updateKey({ role: "admin" }, "PFK-x", { readonly: true }, 0);
// @ts-expect-error usage's days is a number
account.usage({ role: "admin" }, { days: "7" }, 0);
// @ts-expect-error an audit action is one of five
const act: "key.stolen" = account.auditLog({ role: "admin" }, 0)[0].action;
// @ts-expect-error a refusal count is keyed by its code
const r: number = account.usage({ role: "admin" }, {}, 0).days[0].keys[0].refused.INVALID_SECRET;
console.log(n, a, act, r);
