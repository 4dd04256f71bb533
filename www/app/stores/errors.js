// The errors a store gives the views. Refusals of a management operation are
// ApiKeyError-like objects with the package's `code` and message, whichever
// store answered; the other kinds say that the data cannot be reached at all.
import * as apikeys from "apikeys";

/**
 * The package's message of a code (`errorInfo`, one table for every user of
 * the package), or null for a code the package does not know (edge-only codes).
 */
export function packageMessage(code) {
  const info = typeof apikeys.errorInfo === "function" ? apikeys.errorInfo(code) : null;
  return info?.message ?? null;
}

/**
 * An error as the package throws it in the browser: name "ApiKeyError", the
 * stable `code`, and the package's message for it (the edge's own message only
 * for codes the package does not have).
 */
export function apiError(code, message, status) {
  const e = new Error(packageMessage(code) ?? message ?? code);
  e.name = "ApiKeyError";
  e.code = code;
  if (status !== undefined) e.status = status;
  return e;
}

/** The data in this browser cannot be used: the page offers to start over. */
export class StateError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "StateError";
    this.detail = detail;
  }
}

/** The edge cannot be asked: no admin session, or it expired. */
export class SessionError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "SessionError";
    this.detail = detail;
  }
}

/** The management API did not answer (network, proxy or worker down). */
export class ConnectionError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "ConnectionError";
    this.detail = detail;
  }
}

/** Errors that replace the page with a problem page rather than a message beside a form. */
export const isFatal = (e) => e instanceof StateError || e instanceof SessionError || e instanceof ConnectionError;
