import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the admin token (`Bearer <token>`), compared in constant time.
 * False when no token is configured.
 */
export function hasAdminToken(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}
