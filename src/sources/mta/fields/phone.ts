import { type CountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { NoteDraft } from './notes.ts';

/** The event's phone fields. `phone` is E.164; absent when the number is not a possible one (then `phoneRaw`). */
export interface PhoneFields {
  phone?: string;
  phoneNational?: string;
  phoneRaw?: string;
}

/** How a version is thought to write numbers (MTA spec "Formats"; the per-version pattern is provisional). */
export type PhoneFormat = 'national' | 'e164';

/**
 * Normalizes a phone number with libphonenumber-js (Google's libphonenumber metadata): punctuation, spaces and
 * national trunk prefixes are removed (`07700 900123` in country 44 → `+447700900123`; `13125550143` in
 * country 1 → `+13125550143`). A number without `+` is read in `defaultCountry` (a calling code, e.g. '1').
 *
 * "Possible" (right length for its country), not "valid" (in an assigned range), decides: fictional ranges
 * such as 555-01xx and Ofcom's 07700 900xxx are not assigned, yet they are what test traffic and MTA's own
 * examples use, and refusing them would lose events. A number that is not possible is never guessed into an
 * E.164 form: it is kept as given in `phoneRaw`, with a note.
 */
export function normalizePhone(raw: string, defaultCountry: string, expected: PhoneFormat): Normalized {
  const key = `${defaultCountry}|${expected}|${raw}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const result = parse(raw, defaultCountry, expected);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

/** A normalized number: frozen, since cached results are shared between events. */
type Normalized = Readonly<{ fields: Readonly<PhoneFields>; notes: readonly NoteDraft[] }>;

/**
 * libphonenumber-js takes ~15 µs a number here, three times what the whole decode took before it, and the
 * same subscriber's number comes back in every status webhook of every message; so recent results are kept
 * (first in, first out; 10,000 numbers are a few MB at most).
 */
const CACHE_SIZE = 10_000;
const cache = new Map<string, Normalized>();

function parse(raw: string, defaultCountry: string, expected: PhoneFormat): Normalized {
  const notes: NoteDraft[] = [];
  const trimmed = raw.trim();
  const international = trimmed.startsWith('+');
  const parsed = /^[+\d\s().-]+$/.test(trimmed)
    ? parsePhoneNumberFromString(trimmed, { defaultCallingCode: defaultCountry as CountryCallingCode })
    : undefined;
  if (parsed === undefined || !parsed.isPossible()) {
    notes.push({
      kind: 'invalid-phone',
      message: 'not a possible phone number; kept as given in phoneRaw, no phone',
    });
    return Object.freeze({ fields: Object.freeze({ phoneRaw: raw }), notes: Object.freeze(notes) });
  }
  if (international && expected === 'national') {
    notes.push({ kind: 'e164-number', message: 'an E.164 number where national digits were expected' });
  }
  if (!international && expected === 'e164') {
    notes.push({
      kind: 'national-number',
      message: `a national number where E.164 was expected; read in country +${defaultCountry}`,
    });
  }
  const digitsOnly = international ? /^\+\d+$/.test(trimmed) : /^\d+$/.test(trimmed);
  const asGiven = international ? trimmed.slice(1) : trimmed;
  const reformatted = international
    ? asGiven !== `${parsed.countryCallingCode}${parsed.nationalNumber}`
    : asGiven !== parsed.nationalNumber;
  if (!digitsOnly || reformatted) {
    notes.push({ kind: 'formatted-number', message: 'punctuation, spaces or a trunk prefix removed' });
  }
  const fields: PhoneFields = { phone: parsed.number };
  if (parsed.countryCallingCode === defaultCountry) fields.phoneNational = parsed.nationalNumber;
  return Object.freeze({ fields: Object.freeze(fields), notes: Object.freeze(notes) });
}
