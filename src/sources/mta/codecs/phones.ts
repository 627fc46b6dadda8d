import { leaf } from './fields.ts';

/**
 * Phone number codecs and how a number becomes the event's `phone` (E.164) and `phoneNational`.
 * V1 payloads carry national numbers, V2 and V3 carry E.164 (see the MTA spec's "Formats").
 */

/** `phone_national`: digits only, e.g. `5555555555`. */
export const NationalPhone = leaf(
  'a national phone number (digits only)',
  (u): u is string => typeof u === 'string' && /^\d{1,15}$/.test(u),
);

/** `phone_e164`: `+`, then country code and subscriber number, 15 digits at most. */
export const E164Phone = leaf(
  'an E.164 phone number ("+" and 1 to 15 digits)',
  (u): u is string => typeof u === 'string' && /^\+\d{1,15}$/.test(u),
);

/** The event's phone fields. */
export interface PhoneFields {
  phone: string;
  phoneNational?: string;
}

/** A national number is made E.164 with the source's default country code (e.g. '1'). */
export function fromNational(digits: string, defaultCountry: string): PhoneFields {
  return { phone: `+${defaultCountry}${digits}`, phoneNational: digits };
}

/** An E.164 number is kept; its national form is known only when it is in the source's default country. */
export function fromE164(phone: string, defaultCountry: string): PhoneFields {
  const prefix = `+${defaultCountry}`;
  if (phone.startsWith(prefix) && phone.length > prefix.length) {
    return { phone, phoneNational: phone.slice(prefix.length) };
  }
  return { phone };
}
