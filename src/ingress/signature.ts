import { createHmac, timingSafeEqual } from 'node:crypto';

/** MTA's X-Signature: lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the secret string's bytes. */
export function sign(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks an X-Signature header against the raw body in constant time. The comparison is over the exact
 * lowercase hex text MTA sends, so an uppercased or otherwise altered signature does not pass. A signature's
 * length is public (64 hex characters), so only one of that length is compared, byte by byte in constant time,
 * as the hmac and standard-webhooks sources do.
 */
export function verify(secret: string, body: Buffer, header: string): boolean {
  const given = Buffer.from(header.trim());
  const expected = Buffer.from(sign(secret, body));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Checks an X-Signature against several secrets (a source's `secrets: [new, old]` during a rotation) and
 * returns the index of the one that matched, or -1. Every secret is tried even after a match, so the time
 * taken says nothing about which one (or whether any) matched. Pure over its inputs: callers may run it again
 * over other bytes of the same request (e.g. a decompressed body).
 */
export function verifyAny(secrets: readonly string[], body: Buffer, header: string): number {
  let matched = -1;
  for (let i = 0; i < secrets.length; i++) {
    if (verify(secrets[i], body, header) && matched === -1) matched = i;
  }
  return matched;
}
