import type { ListenAddress } from './listen.ts';

/** Shortest admin token not called weak on a public listener: 32 characters (128 bits as hex). */
export const MIN_PUBLIC_TOKEN_LENGTH = 32;

/**
 * Fewest bits of (empirical, per-character Shannon) entropy a token of at least 32 characters must show. Random
 * tokens are far above it: over 200,000 draws each, 32 hex characters never measured below 92 bits, 32 base64
 * characters below 124, 40 digits below 99; `passwordpasswordpasswordpassword` measures 88 (caught as a
 * repetition), `aaaa…` 0.
 */
const MIN_TOKEN_BITS = 80;

/** True for an address only this machine reaches: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/** Why a token is weak, in plain words, or undefined; the words never show the token or any part of it. */
export function tokenWeakness(token: string): string | undefined {
  if (token.length < MIN_PUBLIC_TOKEN_LENGTH) return `it is ${token.length} characters long`;
  if (isRepetition(token)) return 'it is a short piece of text repeated';
  if (shannonBits(token) < MIN_TOKEN_BITS) return 'it has too few different characters to be random';
  return undefined;
}

/**
 * The warning for an admin listener that other machines can reach while its token is weak (`admin.listen` on
 * 0.0.0.0, a LAN address or a host name, with a token shorter than 32 characters or low in entropy), or
 * undefined. Anyone who reaches the port can guess at the token there: the console's login is throttled per
 * address, but a botnet has many addresses.
 */
export function adminExposureWarning(admin: { token?: string; listen: ListenAddress }): string | undefined {
  if (!admin.token || isLoopback(admin.listen.host)) return undefined;
  const why = tokenWeakness(admin.token);
  if (why === undefined) return undefined;
  const at = `${admin.listen.host.includes(':') ? `[${admin.listen.host}]` : admin.listen.host}:${admin.listen.port}`;
  return (
    `weak admin token on a public listener: admin.listen (${at}) is reachable from other machines, and the ` +
    `token that opens the admin API and the console there is weak (${why}). Use at least ` +
    `${MIN_PUBLIC_TOKEN_LENGTH} random characters (e.g. openssl rand -hex 32), or listen on 127.0.0.1`
  );
}

/** True when the text is a shorter piece repeated (the last repeat may be cut short): `abcabcab`. */
function isRepetition(text: string): boolean {
  for (let period = 1; period <= text.length / 2; period++) {
    let same = true;
    for (let i = period; i < text.length && same; i++) same = text[i] === text[i - period];
    if (same) return true;
  }
  return false;
}

/** The text's length times the Shannon entropy of its character frequencies, in bits. */
function shannonBits(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / text.length);
  return bits;
}
