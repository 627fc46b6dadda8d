import * as t from 'io-ts';
import { getCountries, getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/min';
import { type Codec, failureShowing, oneOf, withDefault } from '../../config/codecs.ts';
import { struct } from '../../config/keys.ts';
import { sign, verifyAny } from '../../ingress/signature.ts';
import type { SourcePlugin } from '../api.ts';
import { decodeMtaBody } from './decode.ts';
import { EVENT_TYPES } from './event.ts';
import { MTA_LAYOUTS } from './layouts.ts';
import { MTA_FIELDS_FOR_ROUTES } from './routing.ts';
import { SAMPLE_BODIES } from './samples.ts';

export type { DecodeOptions } from './decode.ts';
export { decodeMta } from './decode.ts';
export { parseEventType } from './event-type.ts';
export { SAMPLE_BODIES, type SampleOptions, sampleEvent } from './samples.ts';

const CALLING_CODE = 'a country calling code such as 1 or 44';
/** Every country's calling code, from the phone-number library that reads the numbers (1, 44, 7, …). */
const CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((c) => getCountryCallingCode(c)));

/** A country calling code (`44` and `+44` alike); an ISO country (`GB`) is refused with its calling code. */
const countryCode: Codec<string> = new t.Type<string, unknown, unknown>(
  CALLING_CODE,
  (u): u is string => typeof u === 'string' && CALLING_CODES.has(u),
  (u, c) => {
    const s = typeof u === 'number' || typeof u === 'string' ? String(u).trim().replace(/^\+/, '') : '';
    if (CALLING_CODES.has(s)) return t.success(s);
    // Worded by the reporter, which hides a value from `${...}` as it does for every other key.
    if (/^[1-9]\d{0,2}$/.test(s))
      return failureShowing(u, c, CALLING_CODE, `: no country has calling code +${s}`);
    const iso = s.toUpperCase();
    if (isSupportedCountry(iso))
      return failureShowing(
        u,
        c,
        CALLING_CODE,
        `: write the calling code of ${iso}, ${getCountryCallingCode(iso)}`,
      );
    return t.failure(u, c);
  },
  (a) => a,
);

/** The MTA source's own options (contract §2). */
const options = struct({
  version: withDefault(oneOf([1, 2, 3] as const, '1, 2 or 3'), 3),
  defaultCountry: withDefault(countryCode, '1'),
});

/** Decoded MTA options. */
export type MtaOptions = t.TypeOf<typeof options>;

/**
 * What is wrong with an X-Signature that is not 64 lowercase hex digits, as the end of "is not an HMAC-SHA256
 * in ...": the mistakes senders make (uppercase, a `sha256=` prefix as other providers send) named, else its
 * length. A prefix is quoted only when short and plain: the header is a stranger's text.
 */
function malformed(given: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(given))
    return 'lowercase hex (MTA sends 64 digits 0-9, a-f; got uppercase A-F)';
  const prefix = /^([\w.=:-]{1,16}?)[0-9a-fA-F]{64}$/.exec(given)?.[1];
  // A prefix of hex digits only is no prefix: the signature is too long (65 digits).
  if (prefix !== undefined && !/^[0-9a-fA-F]+$/.test(prefix))
    return `hex (MTA sends 64 digits 0-9, a-f and nothing else; got "${prefix}" before them)`;
  return `hex (MTA sends 64 digits 0-9, a-f; got ${given.length} characters)`;
}

/**
 * The built-in source for Mobile Text Alerts (`kind: mta`). Authentication: `X-Signature`, lowercase hex
 * HMAC-SHA256 of the raw body keyed with the secret (mta-webhooks.md, "Verifying webhooks"); a compressed body
 * may have been signed before or after compression, so the bytes on the wire are tried first.
 */
export const mtaSource: SourcePlugin<MtaOptions> = {
  kind: 'mta',
  options,
  authenticate(request, secrets) {
    const header = request.headers['x-signature'];
    if (header === undefined || header === '')
      return { ok: false, missing: true, error: 'missing X-Signature header' };
    // Node joins a header sent twice with ", "; a hex signature never holds a comma.
    if (header.includes(','))
      return {
        ok: false,
        missing: false,
        error: 'X-Signature was sent more than once (the values arrive joined by commas): send it once',
      };
    if (!/^[0-9a-f]{64}$/.test(header.trim()))
      return {
        ok: false,
        missing: false,
        error: `X-Signature is not an HMAC-SHA256 in ${malformed(header.trim())}`,
      };
    let secretIndex = verifyAny(secrets, request.received ?? request.raw, header);
    if (secretIndex < 0 && request.received !== undefined)
      secretIndex = verifyAny(secrets, request.raw, header);
    if (secretIndex >= 0) return { ok: true, secretIndex };
    return {
      ok: false,
      missing: false,
      error: 'X-Signature does not match the body (check the source secret)',
    };
  },
  decode(body, ctx) {
    return decodeMtaBody(body, {
      version: ctx.options.version,
      defaultCountry: ctx.options.defaultCountry,
      ...(ctx.urlEvent === undefined ? {} : { urlEvent: ctx.urlEvent }),
    });
  },
  eventTypes: EVENT_TYPES,
  canonicalType: (written) => written.trim().toLowerCase().replaceAll('_', '-'),
  fields: MTA_FIELDS_FOR_ROUTES,
  samples: (o) => SAMPLE_BODIES[o.version],
  layouts: MTA_LAYOUTS,
  baseFields: (o) => ({ version: o.version }),
  sign: (secret, body) => ({ 'X-Signature': sign(secret, body) }),
  summary: (o) => `mta v${o.version}`,
};

export default mtaSource;
