import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** The Content-Encodings the gateway removes (RFC 9110 §8.4.1); `identity` means none. */
export const CONTENT_ENCODINGS = ['gzip', 'x-gzip', 'deflate', 'br', 'identity'] as const;

type Coding = (typeof CONTENT_ENCODINGS)[number];

/**
 * The most codings removed from one body. Each is a decompression of up to server.bodyLimit, done before the
 * signature can be checked (it may be over the decompressed bytes), so a stranger's header chose the work:
 * 2,500 stored-gzip layers in 220 KB held a thread of libuv's pool for 3 s per request. Senders use one.
 */
export const MAX_CODINGS = 2;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/**
 * The codings of a Content-Encoding header in the order they were applied (`gzip, br`: gzip first), or the
 * first unknown one, or how many there are when more than MAX_CODINGS. An absent or empty header is no coding.
 */
export function parseContentEncoding(
  header: string | undefined,
): { codings: Coding[] } | { unknown: string } | { tooMany: number } {
  const codings: Coding[] = [];
  for (const part of (header ?? '').split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (!(CONTENT_ENCODINGS as readonly string[]).includes(name)) return { unknown: part.trim() };
    if (name !== 'identity') codings.push(name as Coding);
  }
  return codings.length > MAX_CODINGS ? { tooMany: codings.length } : { codings };
}

/** zlib-wrapped deflate, or raw deflate when the zlib header is not there. */
async function inflateEither(body: Buffer, options: zlib.ZlibOptions): Promise<Buffer> {
  try {
    return await inflate(body, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    return inflateRaw(body, options);
  }
}

/** Why a body could not be decompressed: too large once decompressed (413), or not valid for its coding (400). */
export type DecompressFailure = { tooLarge: true } | { tooLarge: false; coding: string; message: string };

/**
 * Removes the codings, last applied first. `limit` bounds every stage's output in bytes: zlib stops as soon as
 * an output would pass it (`maxOutputLength`), so a small compression bomb costs at most `limit` + one chunk of
 * memory, never its full expansion. `deflate` is zlib-wrapped by the RFC, but some senders send raw deflate
 * data: both are accepted.
 */
export async function decompress(
  body: Buffer,
  codings: readonly Coding[],
  limit: number,
): Promise<{ ok: true; body: Buffer } | ({ ok: false } & DecompressFailure)> {
  let out = body;
  const options = { maxOutputLength: limit + 1 };
  for (const coding of [...codings].reverse()) {
    try {
      if (coding === 'gzip' || coding === 'x-gzip') out = await gunzip(out, options);
      else if (coding === 'br') out = await brotli(out, options);
      else out = await inflateEither(out, options);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, tooLarge: true };
      return { ok: false, tooLarge: false, coding, message: e.message };
    }
    if (out.length > limit) return { ok: false, tooLarge: true };
  }
  return { ok: true, body: out };
}
