import {
  type CountryCallingCode,
  type CountryCode,
  Metadata,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
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
 *
 * A number without `+` that starts with an international dialling prefix (`0044 20 7946 0958`, or in country 1
 * `011 44 …`) is read as international when it is not a valid number of the default country read as written:
 * see afterDiallingPrefix.
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
  // A tel: URI (RFC 3966), as RCS addresses a subscriber: the number it holds, with its visual separators.
  const given = raw.trim();
  const uri = TEL_SCHEME.test(given);
  const trimmed = uri ? given.slice(TEL_SCHEME_LENGTH) : given;
  const international = trimmed.startsWith('+');
  const readable = /^[+\d\s().-]+$/.test(trimmed);
  const parsed = readable
    ? parsePhoneNumberFromString(trimmed, { defaultCallingCode: defaultCountry as CountryCallingCode })
    : undefined;
  const dialled =
    readable && !international && !parsed?.isValid()
      ? afterDiallingPrefix(trimmed, defaultCountry)
      : undefined;
  if (dialled !== undefined) return dialledNumber(trimmed, defaultCountry, dialled, uri);
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
  if (uri) notes.push({ kind: 'formatted-number', message: 'a tel: URI read as the number it holds' });
  else if (!digitsOnly || reformatted) {
    notes.push({ kind: 'formatted-number', message: 'punctuation, spaces or a trunk prefix removed' });
  }
  const fields: PhoneFields = { phone: parsed.number };
  if (parsed.countryCallingCode === defaultCountry) fields.phoneNational = parsed.nationalNumber;
  return Object.freeze({ fields: Object.freeze(fields), notes: Object.freeze(notes) });
}

const TEL_SCHEME = /^tel:/i;
const TEL_SCHEME_LENGTH = 'tel:'.length;

/**
 * The number after an international dialling prefix, when `text` (no `+`) starts with one and what follows is a
 * possible international number: `0044 20 7946 0958` → +44 20 7946 0958. The prefixes are the default
 * country's own (011 in +1, 0011 in +61, 010 in +81; libphonenumber's metadata, which its own parser applies
 * only given an ISO country, not a calling code) and 00, the ITU's recommended one, which most of the world
 * dials and which writes numbers for an international audience even where another prefix is dialled.
 *
 * Tried only when the number read as written is not valid in the default country: a valid national number is
 * never reread. That keeps the national numbers that do start with 00 (Japan's 0066… services, say; Japan dials
 * 010 abroad). "Valid", not "possible" as elsewhere here: where national numbers have many lengths (+49, +43,
 * +7), `0044 20 7946 0958` read as written is a possible national number (+49 044 2079 460958: a right length,
 * in no assigned range), and that wrong reading would be kept.
 */
function afterDiallingPrefix(text: string, callingCode: string): Dialled | undefined {
  const digits = text.replace(/[\s().-]/g, '');
  let possible: Dialled | undefined;
  for (const pattern of diallingPrefixes(callingCode)) {
    const prefix = pattern.exec(digits)?.[0];
    if (prefix === undefined) continue;
    const number = parsePhoneNumberFromString(`+${digits.slice(prefix.length)}`);
    if (number === undefined || !number.isPossible()) continue;
    if (number.isValid()) return { number, prefix };
    possible ??= { number, prefix };
  }
  return possible;
}

/** A number read after an international dialling prefix. */
interface Dialled {
  number: PhoneNumber;
  prefix: string;
}

/** The fields and notes of a number written with an international dialling prefix. */
function dialledNumber(
  text: string,
  defaultCountry: string,
  { number, prefix }: Dialled,
  uri: boolean,
): Normalized {
  const notes: NoteDraft[] = [
    { kind: 'international-prefix', message: `the international dialling prefix ${prefix} read as "+"` },
  ];
  if (uri) notes.push({ kind: 'formatted-number', message: 'a tel: URI read as the number it holds' });
  else if (!/^\d+$/.test(text))
    notes.push({ kind: 'formatted-number', message: 'punctuation or spaces removed' });
  const fields: PhoneFields = { phone: number.number };
  if (number.countryCallingCode === defaultCountry) fields.phoneNational = number.nationalNumber;
  return Object.freeze({ fields: Object.freeze(fields), notes: Object.freeze(notes) });
}

/**
 * Per calling code: its own international dialling prefix, then 00, each a pattern for the start of the digits
 * (the caller takes the first valid reading, else the first possible one). Its own comes first, as in
 * libphonenumber's own parser given the country; 00 is tried too, and validity decides, because some countries'
 * own prefixes take digits of a number written with 00: Brazil's is 00 and a two-digit carrier, so `0055 11 9…`
 * read with it is +1 19…, and Cape Verde's is 0 alone, which leaves `0238…` no country.
 */
const prefixes = new Map<string, readonly RegExp[]>();

const ITU_PREFIX = /^00/;

function diallingPrefixes(callingCode: string): readonly RegExp[] {
  let patterns = prefixes.get(callingCode);
  if (patterns === undefined) {
    const own = ownDiallingPrefix(callingCode);
    patterns = own === undefined || own === '00' ? [ITU_PREFIX] : [new RegExp(`^(?:${own})`), ITU_PREFIX];
    prefixes.set(callingCode, patterns);
  }
  return patterns;
}

/** The calling code's main country's international dialling prefix (a pattern), or undefined if none is known. */
function ownDiallingPrefix(callingCode: string): string | undefined {
  const metadata = new Metadata();
  try {
    // libphonenumber-js selects a calling code's main country when given the code (its types list only ISO codes).
    metadata.selectNumberingPlan(callingCode as CountryCode);
  } catch {
    return undefined; // not a calling code libphonenumber knows (the config's codec admits only known ones)
  }
  return metadata.numberingPlan?.IDDPrefix() || undefined;
}
