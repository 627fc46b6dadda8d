import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Console sessions: a signed cookie, no server-side table. The signing key is derived from the admin token
 * (HMAC-SHA256 of a fixed label keyed by the token), so every instance that shares the token accepts the same
 * sessions, and rotating the token (a reload) ends every session at once. The cookie carries no secret: only a
 * random session id, the name typed at login, and the expiry, with the HMAC over them.
 *
 * CSRF: a synchronizer token derived from the session (HMAC of its id), rendered into each page and required
 * as the `_csrf` form field or the `X-CSRF-Token` header on every state-changing request (OWASP's
 * "signed double-submit" pattern without the second cookie). SameSite=Strict already keeps other sites'
 * requests from carrying the cookie; the token is the second, independent lock.
 */

/** The cookie's name. */
export const SESSION_COOKIE = 'switchboard_session';
/** The header a script sends the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** How long a session lasts after login (ms): one working day. */
export const SESSION_TTL_MS = 8 * 3_600_000;

/** A verified session: `who` is what the audit log names (the login name, or the session id). */
export interface Session {
  id: string;
  name: string;
  expiresAt: number;
  who: string;
}

function keyFor(token: string): Buffer {
  return createHmac('sha256', token).update('switchboard console session v1').digest();
}

function mac(token: string, text: string): string {
  return createHmac('sha256', keyFor(token)).update(text).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Constant-time comparison of a typed token with the configured one. */
export function tokenEquals(expected: string, given: string): boolean {
  const want = Buffer.from(expected, 'utf8');
  const got = Buffer.from(given, 'utf8');
  if (want.length !== got.length) {
    timingSafeEqual(want, want); // same work either way
    return false;
  }
  return timingSafeEqual(want, got);
}

/** A new session's cookie value: `id.expiry.name.mac`, every part base64url. */
export function issueSession(token: string, name: string, now: number): { value: string; session: Session } {
  const id = randomBytes(12).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  const clean = name.trim().slice(0, 60);
  const body = `${id}.${expiresAt}.${Buffer.from(clean, 'utf8').toString('base64url')}`;
  return { value: `${body}.${mac(token, body)}`, session: describe(id, clean, expiresAt) };
}

function describe(id: string, name: string, expiresAt: number): Session {
  return {
    id,
    name,
    expiresAt,
    who: name ? `${name} (session ${id.slice(0, 6)})` : `session ${id.slice(0, 6)}`,
  };
}

/**
 * Sessions ended by logging out, until they would have expired. A stateless cookie cannot be recalled from a
 * browser, and a copy of it taken before logout must not keep working (LiteLLM #36997 is that complaint).
 * Kept in this process: with several instances behind one address, the others accept a logged-out cookie
 * until it expires (8 h) or the admin token is rotated, which ends every session everywhere.
 */
const loggedOut = new Map<string, number>();
const MAX_LOGGED_OUT = 10_000;

/** Ends a session here: its cookie is refused from now on. */
export function endSession(session: Session, now: number): void {
  for (const [id, expiresAt] of loggedOut) if (expiresAt <= now) loggedOut.delete(id);
  if (loggedOut.size >= MAX_LOGGED_OUT) loggedOut.delete(loggedOut.keys().next().value as string);
  loggedOut.set(session.id, session.expiresAt);
}

/** The session a cookie value proves, or null when it is absent, forged, signed with an old token, expired or logged out. */
export function verifySession(token: string, value: string | undefined, now: number): Session | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const [id, exp, name, sig] = parts;
  if (!sameText(sig, mac(token, `${id}.${exp}.${name}`))) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt <= now || loggedOut.has(id)) return null;
  return describe(id, Buffer.from(name, 'base64url').toString('utf8'), expiresAt);
}

/** The CSRF token that goes with a session. */
export function csrfToken(token: string, session: Session): string {
  return mac(token, `csrf.${session.id}`);
}

/** True when `given` is the session's CSRF token. */
export function csrfMatches(token: string, session: Session, given: string | undefined): boolean {
  return given !== undefined && given !== '' && sameText(given, csrfToken(token, session));
}

/** The cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name = SESSION_COOKIE): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session (or, with value '', for logging out). Secure when the request came over TLS. */
export function sessionCookie(value: string, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  attrs.push(value === '' ? 'Max-Age=0' : `Max-Age=${SESSION_TTL_MS / 1000}`);
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** How the admin API decides a request without a bearer token: by the console's session and CSRF header. */
export type ConsoleAuth = { ok: true; who: string } | { ok: false; status: 401 | 403; error: string };

/**
 * The console's way into the admin API: a valid session cookie AND the session's CSRF token in
 * `X-CSRF-Token`, on every method (a script's fetch sends both; a form or link from elsewhere cannot).
 */
export function consoleAuth(
  token: string,
  headers: { cookie?: string; csrf?: string },
  now: number,
): ConsoleAuth {
  const session = verifySession(token, readCookie(headers.cookie), now);
  if (!session) return { ok: false, status: 401, error: 'missing or wrong bearer token' };
  if (!csrfMatches(token, session, headers.csrf))
    return {
      ok: false,
      status: 403,
      error: 'missing or wrong CSRF token (X-CSRF-Token): reload the console page',
    };
  return { ok: true, who: session.who };
}
