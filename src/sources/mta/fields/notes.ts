/**
 * Decode notes: how a body differed from the spec in a way the decoder accepted. Each is listed on the event
 * (`decodeNotes`) and counted in `switchboard_decode_notes_total{source,type,kind}`, so the operator learns how
 * real traffic differs from the (mostly reconstructed) field tables.
 */

/** The closed set of note kinds (a metric label, so a small fixed set). */
export const NOTE_KINDS = [
  'alias', // a field read under another name real integrators use (`date` for `timestamp`)
  'numeric-string', // a number sent as a string ("4")
  'number-as-text', // a number where text was expected (externalId: 1001)
  'status-name', // a status given by name ("DELIVERED") instead of its code
  'zoneless-time', // an ISO time without a zone, read as UTC
  'space-separated-time', // an ISO time with a space instead of `T`
  'padded-time', // a time with whitespace around it, removed
  'written-zone', // a time's zone after a space, or named UTC or GMT (`2026-11-28 14:03:11 UTC`)
  'epoch-seconds', // a time as seconds since 1970
  'epoch-millis', // a time as milliseconds since 1970
  'tag-scalar', // a tag value that was a number or boolean, stringified
  'tag-null', // a tag value that was null, dropped
  'empty-tags-array', // tags as [] (how PHP's json_encode writes an empty array), read as no tags
  'single-media-url', // one media URL as a string instead of an array
  'empty-media-url', // an empty string where media URLs were expected, read as none
  'national-number', // a national number where this version is thought to send E.164
  'e164-number', // an E.164 number where this version is thought to send national digits
  'formatted-number', // a number with spaces, dashes, brackets or a trunk prefix
  'international-prefix', // a number written with an international dialling prefix (00, 011…) instead of "+"
  'invalid-phone', // a number that is not a possible phone number: kept raw in `phoneRaw`, no `phone`
] as const;

/** One kind of accepted difference. */
export type NoteKind = (typeof NOTE_KINDS)[number];

/** A note as a field kind produces it (the decoder adds the path). */
export interface NoteDraft {
  kind: NoteKind;
  message: string;
}

/** A note on an event: which field (`timestamp`, `tags.tier`), what kind, and in words what was done. */
export interface DecodeNote extends NoteDraft {
  path: string;
}

/** A decoded field value and the notes its decoding made. */
export interface Noted<A> {
  value: A;
  notes: NoteDraft[];
}

/** A value that needed no coercion. */
export function plain<A>(value: A): Noted<A> {
  return { value, notes: [] };
}

/** A value that needed one coercion. */
export function noted<A>(value: A, kind: NoteKind, message: string): Noted<A> {
  return { value, notes: [{ kind, message }] };
}
