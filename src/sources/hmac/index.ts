import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as t from 'io-ts';
import { headerName, oneOf, optional, positiveDuration, str, withDefault } from '../../config/codecs.ts';
import { struct } from '../../config/keys.ts';
import type { Authentication, SourcePlugin, SourceRequest } from '../api.ts';
import { decodeGeneric, type TypeFrom, typeFrom } from '../type-from.ts';

/**
 * A generic signed-JSON source for providers that sign the raw body with an HMAC in one header: GitHub
 * (`X-Hub-Signature-256: sha256=<hex>`, docs.github.com "Validating webhook deliveries"), Shopify
 * (`X-Shopify-Hmac-Sha256: <base64>`, shopify.dev "Verify webhooks"), and the many alike.
 */

const options = struct({
  header: headerName,
  algorithm: withDefault(oneOf(['sha1', 'sha256', 'sha512'] as const, 'sha1, sha256 or sha512'), 'sha256'),
  encoding: withDefault(oneOf(['hex', 'base64'] as const, 'hex or base64'), 'hex'),
  prefix: withDefault(str, ''),
  typeFrom: withDefault(typeFrom, { from: 'json', path: ['type'] } as TypeFrom),
  timestampHeader: optional(headerName),
  tolerance: withDefault(positiveDuration, 5 * 60_000),
});

type Options = t.TypeOf<typeof options>;

/** The header value a sender computes for a body: prefix + encoded HMAC. */
export function signHmac(
  o: Pick<Options, 'algorithm' | 'encoding' | 'prefix'>,
  secret: string,
  body: Buffer | string,
) {
  return `${o.prefix}${createHmac(o.algorithm, secret).update(body).digest(o.encoding)}`;
}

/** A timestamp header in seconds, milliseconds or ISO 8601, as epoch milliseconds. */
function timestampMs(value: string): number | undefined {
  const v = value.trim();
  if (/^\d{1,16}$/.test(v)) return Number(v) < 1e11 ? Number(v) * 1000 : Number(v);
  const parsed = Date.parse(v);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function authenticate(
  request: SourceRequest,
  secrets: readonly string[],
  o: Options,
  now: number,
): Authentication {
  const header = request.headers[o.header.toLowerCase()];
  if (header === undefined || header.trim() === '')
    return { ok: false, missing: true, error: `missing ${o.header} header` };
  if (o.timestampHeader !== undefined) {
    const raw = request.headers[o.timestampHeader.toLowerCase()];
    const at = raw === undefined ? undefined : timestampMs(raw);
    if (at === undefined)
      return { ok: false, missing: false, error: `missing or unreadable ${o.timestampHeader} header` };
    if (Math.abs(at - now) > o.tolerance)
      return {
        ok: false,
        missing: false,
        error: `${o.timestampHeader} is outside the tolerance (${o.tolerance / 1000}s)`,
      };
  }
  const given = header.trim();
  // Node joins a header sent twice with ", "; neither hex nor base64 holds a comma.
  if (given.includes(','))
    return {
      ok: false,
      missing: false,
      error: `${o.header} was sent more than once (the values arrive joined by commas): send it once`,
    };
  if (!given.startsWith(o.prefix))
    return { ok: false, missing: false, error: `${o.header} does not start with "${o.prefix}"` };
  const malformed = malformedDigest(given.slice(o.prefix.length), o);
  if (malformed !== undefined) return { ok: false, missing: false, error: `${o.header} is not ${malformed}` };
  // Compared as bytes of the decoded digest, so base64 padding or hex case does not matter, but the digest does.
  const digest = Buffer.from(given.slice(o.prefix.length), o.encoding);
  const bodies = request.received ? [request.received, request.raw] : [request.raw];
  // Every secret is tried even after a match, so the time taken does not tell which one matched.
  let secretIndex = -1;
  secrets.forEach((secret, i) => {
    for (const body of bodies) {
      const expected = createHmac(o.algorithm, secret).update(body).digest();
      const hit = digest.length === expected.length && timingSafeEqual(digest, expected);
      if (hit && secretIndex === -1) secretIndex = i;
    }
  });
  if (secretIndex >= 0) return { ok: true, secretIndex };
  return {
    ok: false,
    missing: false,
    error: `${o.header} does not match the body (check the source secret)`,
  };
}

/** Bytes in an HMAC by algorithm. */
const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

const HEX = /^[0-9a-fA-F]*$/;
/** Standard base64, padded or not (Buffer.from(text, 'base64') would skip any other character silently). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * What is wrong with a signature's text (after the prefix), as the end of "<header> is not ...", or undefined
 * when it is a whole digest of the algorithm's length in the encoding. Checked before decoding because
 * `Buffer.from(text, 'hex')` stops at the first non-hex character and drops an odd last digit, and base64
 * decoding skips what is not base64: `<digest>zz` decoded to the digest and passed.
 */
function malformedDigest(text: string, o: Pick<Options, 'algorithm' | 'encoding'>): string | undefined {
  const bytes = DIGEST_BYTES[o.algorithm];
  const what = `an HMAC-${o.algorithm.toUpperCase()} in ${o.encoding}`;
  if (o.encoding === 'hex') {
    if (!HEX.test(text) || text.length !== bytes * 2)
      return `${what} (${bytes * 2} digits 0-9, a-f; got ${text.length} characters${HEX.test(text) ? '' : ', not all hex'})`;
    return undefined;
  }
  const expected = Math.ceil(bytes / 3) * 4;
  const unpadded = text.replace(/=+$/, '').length;
  if (!BASE64.test(text) || unpadded !== Math.ceil((bytes * 4) / 3))
    return `${what} (${expected} characters A-Z, a-z, 0-9, +, / and = padding; got ${text.length}${BASE64.test(text) ? '' : ', not all base64'})`;
  return undefined;
}

/** `kind: hmac`. */
const hmacSource: SourcePlugin<Options> = {
  kind: 'hmac',
  options,
  authenticate,
  decode: (body, ctx) => decodeGeneric(body, ctx, 'hmac'),
  eventTypes: 'open',
  fields: {},
  samples: { push: { type: 'push', ref: 'refs/heads/main' } },
  sign: (secret, body, o, now) => ({
    [o.header]: signHmac(o, secret, body),
    ...(o.timestampHeader === undefined ? {} : { [o.timestampHeader]: String(Math.floor(now / 1000)) }),
  }),
  summary: (o) => `hmac ${o.algorithm} in ${o.header}`,
};

export default hmacSource;
