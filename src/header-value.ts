/** Characters an HTTP header value may hold (RFC 9110 field-value as Node sends it: Latin-1, no CR/LF/NUL). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Whether `value` can be sent as an HTTP header value: tab, visible ASCII and space, and Latin-1 beyond ASCII.
 * Node (and fetch) throw on anything else before a byte is sent, quoting the value whole in the error.
 */
export function fitsInHeader(value: string): boolean {
  return HEADER_VALUE.test(value);
}
