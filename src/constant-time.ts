import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `expected`, in time that says nothing about either: both are hashed (SHA-256) and the
 * digests compared with timingSafeEqual, so neither the length nor the first differing byte shows. The one
 * comparison for secrets: webhook signatures, bearer tokens.
 */
export function sameSecret(given: string | Buffer, expected: string | Buffer): boolean {
  const digest = (v: string | Buffer) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
