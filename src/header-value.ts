/** Characters an HTTP header value may hold (RFC 9110 field-value as Node sends it: Latin-1, no CR/LF/NUL). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Whether `value` can be sent as an HTTP header value: tab, visible ASCII and space, and Latin-1 beyond ASCII.
 * Node (and fetch) throw on anything else before a byte is sent, quoting the value whole in the error.
 */
export function fitsInHeader(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** What keeps a value from reaching a server whole in an HTTP header (`headerValueFlaw`). */
export type HeaderValueFlaw = 'line break' | 'control character' | 'beyond Latin-1' | 'edge whitespace';

/**
 * What keeps `value` from reaching a server whole in an HTTP header, or undefined when nothing does: what
 * `fitsInHeader` refuses, and a space or tab at either end, which HTTP strips from a received value.
 */
export function headerValueFlaw(value: string): HeaderValueFlaw | undefined {
  if (fitsInHeader(value)) return /^[\t ]|[\t ]$/.test(value) ? 'edge whitespace' : undefined;
  if (/[\r\n]/.test(value)) return 'line break';
  return [...value].some((ch) => (ch.codePointAt(0) ?? 0) > 0xff) ? 'beyond Latin-1' : 'control character';
}
