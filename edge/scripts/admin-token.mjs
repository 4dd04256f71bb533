// Mints an account admin token (JWT, HS256) for local use, signed with the
// same ADMIN_JWT_SECRET the worker has, read from the environment or from
// edge/.dev.vars (the file `wrangler dev` reads secrets from).
//
//   node edge/scripts/admin-token.mjs ACCOUNT SUBJECT [ROLE] [TTL_SECONDS]
//
// ROLE is "admin" (default) or "user"; TTL_SECONDS at most 3600 (default 900).
// Prints the token alone on stdout (for `$(…)`), its expiry on stderr.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MIN_SECRET_LENGTH, DEFAULT_TOKEN_TTL_SECONDS, mintToken, tokenRequest } from "../src/admin-auth.js";

/**
 * The variables of a .dev.vars file (dotenv syntax: NAME=value, optional quotes, # comments).
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseDevVars(text) {
  /** @type {Record<string, string>} */
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    let value = m[2];
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    vars[m[1]] = value;
  }
  return vars;
}

function usage(message) {
  if (message) console.error(`admin-token: ${message}`);
  console.error("usage: node edge/scripts/admin-token.mjs ACCOUNT SUBJECT [admin|user] [TTL_SECONDS]");
  process.exit(2);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [account, sub, role = "admin", ttl] = process.argv.slice(2);
  if (!account || !sub) usage();
  const devVars = new URL("../.dev.vars", import.meta.url);
  const secret =
    process.env.ADMIN_JWT_SECRET ??
    (existsSync(devVars) ? parseDevVars(readFileSync(devVars, "utf8")).ADMIN_JWT_SECRET : undefined);
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    usage(`set ADMIN_JWT_SECRET (${MIN_SECRET_LENGTH}+ characters) in the environment or in edge/.dev.vars`);
  }
  const input = tokenRequest({ account, sub, role, ttlSeconds: ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : Number(ttl) });
  if (!input.ok) usage(input.message);
  const { token, expiresAt } = await mintToken(secret, input.value, Date.now());
  console.log(token);
  console.error(`expires ${new Date(expiresAt).toISOString()} (account ${account}, sub ${sub}, role ${input.value.role})`);
}
