// The deployed portal's admin session. The operator's own application mints
// an account admin's token (POST /_apikeys/tokens) and opens
//   https://api.example.com/_apikeys/portal/#token=<token>
// The portal reads the token once, keeps it in sessionStorage (this tab only,
// gone when the tab closes) until it expires, and removes it from the address
// bar and the history entry. The claims are read only to know the account and
// who is signed in; the worker checks the signature on every request.
import { SessionError } from "./stores/errors.js";

const KEY = "apikeys-portal:admin-session";
/** Seconds of slack before `exp`: a token about to expire is not used. */
const SKEW_S = 30;

function claimsOf(token) {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const text = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

/** Takes `token=…` out of the URL fragment, keeping any page path that follows. */
function takeFromFragment() {
  const match = /^#(?:.*[&?])?token=([A-Za-z0-9._~-]+)(.*)$/.exec(location.hash);
  if (!match) return null;
  const rest = match[2].replace(/^&/, "");
  const hash = rest.startsWith("/") ? `#${rest}` : "#/api-keys";
  history.replaceState(null, "", `${location.pathname}${location.search}${hash}`);
  return match[1];
}

/**
 * The admin session of this tab: { token, accountId, id, role, expiresAt }.
 * Throws SessionError when there is none or it has expired.
 */
export function adminSession(now = Date.now()) {
  const fresh = takeFromFragment();
  if (fresh) {
    const claims = claimsOf(fresh);
    if (!claims || typeof claims.account !== "string" || typeof claims.exp !== "number") {
      sessionStorage.removeItem(KEY);
      throw new SessionError(
        "The link that opened the portal does not hold a valid admin token.",
        "expected a token with the claims account, sub, role and exp",
      );
    }
    const session = {
      token: fresh,
      accountId: claims.account,
      id: typeof claims.sub === "string" ? claims.sub : undefined,
      role: claims.role === "admin" ? "admin" : String(claims.role ?? "user"),
      expiresAt: claims.exp * 1000,
    };
    sessionStorage.setItem(KEY, JSON.stringify(session));
  }
  let session = null;
  try {
    session = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  } catch {
    session = null;
  }
  if (!session?.token) {
    throw new SessionError(
      "Open the portal from your account's admin page: it signs you in with a link that holds a short-lived admin token.",
      "no admin token in this tab",
    );
  }
  if (session.expiresAt - SKEW_S * 1000 <= now) {
    sessionStorage.removeItem(KEY);
    throw new SessionError(
      "Your admin session has expired. Open the portal again from your account's admin page.",
      `the token expired at ${new Date(session.expiresAt).toISOString()}`,
    );
  }
  return session;
}
