/**
 * io-ts codecs for plugin options, with the same grammar as the core's config (config/units.ts), so a
 * duration or a size reads the same under every destination: `10s` everywhere, and a bare `10` an error
 * everywhere (it once meant 10 ms under `http` only).
 */
import * as t from 'io-ts';
import { bool, type Codec, integer, MAX_DURATION_MS, MAX_TIMEOUT_MS } from '../config/codecs.ts';
import { parseDuration, parseSize } from '../config/units.ts';

/**
 * A duration longer than zero and at most `max` such as `500ms`, `10s`, `1m30s`, decoded to milliseconds.
 * Numbers are refused; the hint suggests only spellings that are accepted (never `0s`).
 */
function durationUpTo(name: string, max: number, limit: string): t.Type<number, number, unknown> {
  const accepted = (ms: number | undefined) => ms !== undefined && ms > 0 && ms <= max;
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isFinite(u) && accepted(u),
    (u, c) => {
      const ms = typeof u === 'string' ? parseDuration(u) : u === 0 ? 0 : undefined;
      if (ms === undefined) {
        const spellings = [`${u}s`, `${u}ms`].filter((text) => accepted(parseDuration(text)));
        const hint =
          typeof u === 'number' && spellings.length > 0
            ? ` (is ${u} seconds or milliseconds? write ${spellings.join(' or ')})`
            : '';
        return t.failure(u, c, `must be a duration such as 500ms, 10s or 1m${hint}`);
      }
      if (ms > max) return t.failure(u, c, `must be at most ${limit}`);
      return ms > 0 ? t.success(ms) : t.failure(u, c, 'must be longer than zero');
    },
    t.identity,
  );
}

/** A duration longer than zero and at most 3650d (the core's bound), decoded to milliseconds. */
export const Duration = durationUpTo('Duration', MAX_DURATION_MS, '3650d (10 years)');

/**
 * A timeout (what arms a timer, such as a request's deadline): like Duration, but at most 24d, the core's
 * timeout bound. Node fires a longer timer after 1 ms, so `timeout: 25d` failed every attempt at once.
 */
export const Timeout = durationUpTo('Timeout', MAX_TIMEOUT_MS, '24d (the longest a timer can wait)');

/** A size such as `512b`, `256kb`, `1mb` (binary multiples), or a whole number of bytes; decoded to bytes. */
export const Size = new t.Type<number, number, unknown>(
  'Size',
  (u): u is number => Number.isInteger(u) && (u as number) >= 0,
  (u, c) => {
    const bytes =
      typeof u === 'string'
        ? parseSize(u)
        : Number.isInteger(u) && (u as number) >= 0
          ? (u as number)
          : undefined;
    return bytes === undefined ? t.failure(u, c, 'must be a size such as 256kb or 1mb') : t.success(bytes);
  },
  t.identity,
);

/**
 * A core config codec under a plugin codec's name, its failure worded as the SDK's codecs word theirs
 * (`must be …`): the value is read exactly as the core reads the same kind of key.
 */
function asPluginCodec<A>(name: string, core: Codec<A>, message: string): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    name,
    core.is,
    (u, c) => {
      const read = core.validate(u, c);
      return read._tag === 'Right' ? read : t.failure(u, c, message);
    },
    t.identity,
  );
}

/**
 * A TCP port, 1-65535: a number, or its digits as text, which is what a `${SMTP_PORT}` reference gives (the
 * environment holds only text), read as the core reads `server.port`.
 */
export const Port = asPluginCodec('Port', integer(1, 65535), 'must be a port number (1-65535)');

/** true or false, or that word as text, which is what a `${SMTP_SECURE}` reference gives; read as the core's. */
export const Flag = asPluginCodec('Flag', bool, 'must be true or false');

/** An absolute http(s) URL without credentials (put them in a header). The value stays out of messages. */
export const HttpUrl = new t.Type<string, string, unknown>(
  'HttpUrl',
  (u): u is string => typeof u === 'string' && httpUrlProblem(u) === undefined,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be a URL string');
    const problem = httpUrlProblem(u);
    // The value itself stays out of the message: webhook URLs are secrets.
    return problem === undefined ? t.success(u) : t.failure(u, c, problem);
  },
  t.identity,
);

function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials; send them in a header instead';
  }
  return undefined;
}
