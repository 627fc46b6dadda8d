/** Standard Webhooks signatures (https://www.standardwebhooks.com), so receivers can verify and deduplicate. */
import { createHmac } from 'node:crypto';

/**
 * The HMAC key for a signing secret, read as Standard Webhooks libraries read it: `whsec_<base64>` is
 * base64-decoded; any other string is used as its UTF-8 bytes.
 */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * The three headers for one request: `webhook-id` (the delivery id, stable across retries),
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
 */
export function signatureHeaders(
  key: Buffer,
  id: string,
  timestampSec: number,
  body: string,
): Record<string, string> {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': `v1,${mac}`,
  };
}
