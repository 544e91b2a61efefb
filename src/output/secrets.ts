/**
 * Secrets never appear in output. Two kinds are removed from every text the server shows, logs
 * or exports: the values it was configured with (access token, client secret, certificate
 * password) and the tokens it acquired, registered here as they become known; and anything shaped
 * like a credential whatever its origin (a Graph error body that echoes `Bearer …`, a JWT, the
 * `user:pass@` of a URL). Registered values are process-wide on purpose: a secret is a secret in
 * every answer of every server in the process.
 */

/** Shorter values are not registered: they would mask ordinary words (and are not real secrets). */
const MIN_SECRET_LENGTH = 8;
/** Acquired tokens remembered; old ones go first (a token lives about an hour). */
const MAX_SECRETS = 64;

/** Registered values, oldest first. */
const known: string[] = [];
/** The same, longest first: a secret that contains another is removed whole. */
let longestFirst: string[] = [];

/** Remember a value that must never be shown (a configured secret, an acquired token). */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || known.includes(value)) return;
  known.push(value);
  if (known.length > MAX_SECRETS) known.shift();
  longestFirst = [...known].sort((a, b) => b.length - a.length);
}

// Credential shapes: an authorization header value, a JWT, and URL userinfo.
const AUTH_SCHEME = /\b(Bearer|Basic|Negotiate|PoP)(\s+|%20|\+)[^\s"'`,;<>()[\]{}«»‹›]{4,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s/?#@"'<>«»]+@/gi;

/** `text` with every registered secret and every credential-shaped part replaced. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of longestFirst) if (out.includes(secret)) out = out.split(secret).join('[secret removed]');
  if (out.includes('eyJ')) out = out.replace(JWT, '[token removed]');
  if (/bearer|basic|negotiate|pop/i.test(out)) out = out.replace(AUTH_SCHEME, '$1 [credential removed]');
  if (out.includes('://')) out = out.replace(URL_USERINFO, '$1[credentials removed]@');
  return out;
}
