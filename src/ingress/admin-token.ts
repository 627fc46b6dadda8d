import { sameSecret } from '../constant-time.ts';

/**
 * Whether an Authorization header carries the admin token (`Bearer <token>`), compared in constant time.
 * False when no token is configured.
 */
export function hasAdminToken(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? '';
  return sameSecret(given, token);
}
