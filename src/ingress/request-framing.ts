import { quoted } from './labels.ts';

/**
 * Header checks Node's HTTP parser leaves to us, on a webhook request before its body is read.
 *
 * Content-Type: Node keeps the first of several (lib/_http_incoming.js drops repeats of the headers it treats as
 * single), so `Content-Type: application/json` then `Content-Type: text/plain` was read as JSON, while a proxy or
 * a logger in front that keeps the last one read text: a request whose type depends on who reads it. Repeats of
 * one value (byte for byte, as Node hands them on: spaces around them already trimmed) are read as one: the
 * type is the same whoever reads it, and clients and proxies that append a header the request already carries
 * send them. One line listing several types (`application/json, text/plain`) is the same request: proxies and
 * clients that merge repeated lines join them with commas (RFC 9110 §5.3), and a Content-Type is one media type
 * (§8.3). The JSON check read only its start, so that one was JSON and `text/plain, application/json` was not,
 * while a reader keeping the last type saw text. Its types are read as the lines are.
 */

/**
 * The first two differing Content-Type values of a request, in the order sent; undefined when it has at most one
 * value. Reads Node's `rawHeaders` (name, value, name, value…): one pass over a dozen strings, comparing a name
 * only when it has Content-Type's length, allocating nothing unless a value differs (`headersDistinct` would
 * build an object of every header on every request), and stopping at the first difference.
 */
export function conflictingContentTypes(rawHeaders: readonly string[]): [string, string] | undefined {
  let first: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length !== 12 || name.toLowerCase() !== 'content-type') continue;
    const value = rawHeaders[i + 1];
    if (first === undefined) first = value;
    else if (value !== first) return [first, value];
  }
  return undefined;
}

/**
 * A Content-Type value as one media type: `{ type }` (a type listed more than once, byte for byte and spaces
 * around it trimmed, is that type once), or the first two differing types it lists, in the order given. A comma
 * inside a quoted parameter value (`profile="a,b"`) separates nothing. A value without a comma, nearly every
 * request's, is answered as it is after one scan for a comma.
 */
export function singleContentType(value: string): { type: string } | { differing: [string, string] } {
  if (!value.includes(',')) return { type: value };
  const types = splitOutsideQuotes(value);
  const other = types.find((type) => type !== types[0]);
  return other === undefined ? { type: types[0] } : { differing: [types[0], other] };
}

/**
 * A header value cut at each comma outside a quoted string (RFC 9110 §5.6.4: `\` escapes the next character in
 * one), each piece trimmed. A quote left open quotes nothing: the value is cut at every comma, as a reader that
 * knows no quoting cuts it.
 */
function splitOutsideQuotes(value: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuotes) {
      if (c === '\\') i++;
      else if (c === '"') inQuotes = false;
    } else if (c === '"') inQuotes = true;
    else if (c === ',') {
      pieces.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inQuotes) return value.split(',').map((piece) => piece.trim());
  pieces.push(value.slice(start).trim());
  return pieces;
}

/**
 * Whether a request's Transfer-Encoding is one the gateway reads: none, or `chunked` alone. Node's parser refuses
 * a request whose last transfer coding is not chunked (`gzip` alone: listen.ts answers it), but it takes
 * `gzip, chunked`, removes the chunking and hands on the gzip bytes as if they were the body, which then failed
 * the signature (401) or, signed as sent, was kept as an undecodable body. Node joins repeated Transfer-Encoding
 * lines with ", ", so `gzip` and `chunked` on two lines are this case too.
 */
export function readableTransferEncoding(header: string | undefined): boolean {
  return header === undefined || header.trim().toLowerCase() === 'chunked';
}

/** The answer to a transfer coding other than chunked (`header`, when known): what is refused, and what to use. */
export function transferCodingRefusal(header?: string): string {
  const given =
    header === undefined ? "the request's Transfer-Encoding" : `Transfer-Encoding "${quoted(header)}"`;
  return `${given} is not supported: the only transfer coding accepted is chunked, alone and once; to send a compressed body, use Content-Encoding (gzip, deflate or br)`;
}
