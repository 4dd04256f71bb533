// The edge's table of codes (src/responses.js): the package's table
// (errorInfo) extended with the edge's own codes, and the uses that differ
// on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { errorCodes, errorInfo, verify } from "apikeys";
import { EDGE_ONLY_CODES, codeInfo, managementError, refusal, refusalBody } from "../src/responses.js";

test("package codes come from the package's table; the edge's own codes only extend it", () => {
  for (const code of errorCodes()) assert.deepEqual(codeInfo(code), errorInfo(code), code);
  for (const code of EDGE_ONLY_CODES) {
    assert.equal(errorInfo(code), null, `${code} is not a package code`);
    const info = codeInfo(code);
    assert.ok(info.status >= 400 && info.status < 600 && info.message.length > 0, code);
  }
  assert.equal(codeInfo("NO_SUCH_CODE"), null);
});

test("every code the edge's sources answer with is in the table", () => {
  const dir = new URL("../src/", import.meta.url);
  const used = new Set();
  for (const file of readdirSync(dir)) {
    const text = readFileSync(new URL(file, dir), "utf8");
    for (const m of text.matchAll(/(?:error\(|code: )"([A-Z_]+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size >= 10, [...used].join(" "));
  for (const code of used) assert.ok(codeInfo(code), `${code} has a status and a message`);
});

test("a client's 401 body never tells an unknown key from a wrong secret", () => {
  const unknown = refusalBody({ code: "UNKNOWN_KEY" });
  assert.deepEqual(refusalBody({ code: "INVALID_SECRET" }), unknown);
  assert.deepEqual(refusalBody({ code: "STALE_KEY_RECORD" }), unknown);
  assert.equal(unknown.error.code, "INVALID_CREDENTIALS");
  const stale = refusal({ ...verify(null, "GET", null), code: "STALE_KEY_RECORD" });
  assert.equal(stale.status, 401, "never the package's 409 for a client");
  assert.match(stale.headers.get("WWW-Authenticate"), /^Basic /);
});

test("management answers an unknown key with 404 and bad limits with 400 (the package's statuses are a decision's and a constructor's)", () => {
  assert.equal(errorInfo("UNKNOWN_KEY").status, 401);
  assert.equal(managementError("UNKNOWN_KEY").status, 404);
  assert.equal(managementError("INVALID_LIMITS").status, 400);
  assert.equal(managementError("NOT_ADMIN").status, errorInfo("NOT_ADMIN").status);
  assert.equal(managementError("UNKNOWN_ACCOUNT").status, 404);
});
