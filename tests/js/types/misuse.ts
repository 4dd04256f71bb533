// Must NOT compile: proves the .d.ts types are precise, not `any`.
import { Account } from "apikeys";
const account = new Account();
// @ts-expect-error a decision's `code` is a string union, not a number
const n: number = account.authorize("Basic x", "GET", 0).code;
// @ts-expect-error createKey needs a name
account.createKey({ role: "admin" }, { readOnly: true }, 0);
// @ts-expect-error access is "full" | "read-only"
const a: "admin" = account.listKeys({ role: "admin" }, 0).keys[0].access;
console.log(n, a);
