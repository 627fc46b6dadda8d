import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as t from 'io-ts';
import { positiveDuration, withDefault } from '../../config/codecs.ts';
import { struct } from '../../config/keys.ts';
import type { Authentication, SourcePlugin, SourceRequest } from '../api.ts';
import { decodeGeneric, type TypeFrom, typeFrom } from '../type-from.ts';

/**
 * The built-in source for Standard Webhooks senders (standardwebhooks.com spec, "Verifying webhooks"):
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` signatures of `<webhook-id>.<webhook-
 * timestamp>.<body>`, keyed with the base64 bytes after a `whsec_` prefix; a timestamp (seconds) outside the
 * tolerance either way is refused against replays; `webhook-id` is the idempotency key, so a replayed id is
 * answered as a duplicate.
 */

const options = struct({
  tolerance: withDefault(positiveDuration, 5 * 60_000),
  typeFrom: withDefault(typeFrom, { from: 'json', path: ['type'] } as TypeFrom),
});

/** `tolerance`: milliseconds either side of now a `webhook-timestamp` may be. */
type Options = t.TypeOf<typeof options>;

/**
 * The HMAC key of a secret: its base64 after an optional `whsec_` prefix, as the reference libraries read it
 * (standard-webhooks libraries/javascript: the prefix is stripped when present and the rest always decoded),
 * so a sender given the unprefixed form signs with the same key (nextlyhq/nextly#227 broke on exactly that).
 */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Why a secret is no Standard Webhooks key: after an optional `whsec_` it must be standard base64, which the
 * reference libraries decode strictly. Node's base64 decoding skips what it cannot read, so a passphrase with
 * a `-` or a space was taken as another key than the sender's, and every webhook failed with a 401.
 */
export function checkStandardSecret(secret: string): string | undefined {
  const text = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const form =
    'a Standard Webhooks secret is whsec_ followed by base64 of the key bytes (A-Z a-z 0-9 + /, = padding), as the sender shows it';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1)
    return `is not base64 after whsec_: ${form}; copy it again from the sender`;
  return undefined;
}

/** The `v1,<base64>` signature of one message (what a sender computes). */
export function signStandard(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

/** A v1 signature after its `v1,`: an HMAC-SHA256 (32 bytes) in standard base64, padded or not. */
const V1_SIGNATURE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;

function authenticate(
  request: SourceRequest,
  secrets: readonly string[],
  o: Options,
  now: number,
): Authentication {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signature = request.headers['webhook-signature'];
  if (!id && !timestamp && !signature) {
    return {
      ok: false,
      missing: true,
      error: 'missing webhook-id, webhook-timestamp and webhook-signature headers',
    };
  }
  const absent = [
    !id && 'webhook-id',
    !timestamp && 'webhook-timestamp',
    !signature && 'webhook-signature',
  ].filter(Boolean);
  if (absent.length > 0 || !id || !timestamp || !signature) {
    return { ok: false, missing: false, error: `missing ${absent.join(' and ')} header` };
  }
  if (!/^\d{1,15}$/.test(timestamp.trim())) {
    return { ok: false, missing: false, error: 'webhook-timestamp must be whole seconds since 1970' };
  }
  const seconds = Number(timestamp.trim());
  const skew = seconds * 1000 - now;
  if (skew < -o.tolerance)
    return { ok: false, missing: false, error: 'webhook-timestamp is too old (outside tolerance)' };
  if (skew > o.tolerance)
    return { ok: false, missing: false, error: 'webhook-timestamp is in the future (outside tolerance)' };
  // Only a whole base64 HMAC-SHA256 is compared: Buffer.from(text, 'base64') skips what is not base64, so
  // `v1,<signature>!!` decoded to the signature and passed.
  const given = signature
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,') && V1_SIGNATURE.test(s.slice(3)))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  if (given.length === 0)
    return {
      ok: false,
      missing: false,
      error:
        'webhook-signature holds no well-formed v1 signature (v1, then 44 base64 characters of HMAC-SHA256)',
    };
  const bodies = request.received ? [request.received, request.raw] : [request.raw];
  // Every secret is tried even after a match, so the time taken does not tell which one matched.
  let secretIndex = -1;
  secrets.forEach((secret, i) => {
    for (const body of bodies) {
      const expected = Buffer.from(signStandard(secret, id, seconds, body).slice(3), 'base64');
      const hit = given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
      if (hit && secretIndex === -1) secretIndex = i;
    }
  });
  if (secretIndex >= 0) return { ok: true, idempotencyKey: `webhook-id:${id}`, secretIndex };
  return {
    ok: false,
    missing: false,
    error: 'no webhook-signature matches the body (check the source secret)',
  };
}

/** `kind: standard-webhooks`. */
const standardWebhooksSource: SourcePlugin<Options> = {
  kind: 'standard-webhooks',
  options,
  authenticate,
  decode: (body, ctx) => decodeGeneric(body, ctx, 'standard-webhooks'),
  eventTypes: 'open',
  fields: {},
  samples: {
    'invoice.paid': { type: 'invoice.paid', timestamp: '2026-01-15T09:30:00Z', data: { id: 'in_1' } },
  },
  checkSecret: checkStandardSecret,
  sign(secret, body, _o, now) {
    const id = `msg_${now.toString(36)}`;
    const seconds = Math.floor(now / 1000);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': signStandard(secret, id, seconds, body),
    };
  },
  summary: (o) => `standard-webhooks, tolerance ${o.tolerance / 1000}s`,
};

export default standardWebhooksSource;
