/** Options of the `http` destination: the codec users' YAML is decoded with, and the defaults applied after. */
import * as t from 'io-ts';

/** An absolute http(s) URL without credentials (fetch refuses those; put them in `headers`). */
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

/** A duration: milliseconds as a number, or a string such as `500ms`, `10s`, `1m`. Decodes to milliseconds. */
export const Duration = new t.Type<number, number, unknown>(
  'Duration',
  (u): u is number => typeof u === 'number' && u > 0,
  (u, c) => {
    if (typeof u === 'number' && Number.isFinite(u) && u > 0) return t.success(u);
    const m = typeof u === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(u.trim()) : null;
    if (m === null) return t.failure(u, c, 'must be a duration such as 500ms, 10s or 1m');
    const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
    return ms > 0 ? t.success(ms) : t.failure(u, c, 'must be longer than zero');
  },
  t.identity,
);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** An HTTP header name (RFC 9110 token). */
const HeaderName = new t.Type<string, string, unknown>(
  'HeaderName',
  (u): u is string => typeof u === 'string' && TOKEN.test(u),
  (u, c) =>
    typeof u === 'string' && TOKEN.test(u)
      ? t.success(u)
      : t.failure(u, c, 'is not a valid HTTP header name'),
  t.identity,
);

/**
 * A Standard Webhooks signing secret. `whsec_` + base64 is the spec's format (the base64 part is the key);
 * any other string is used as its UTF-8 bytes.
 */
const SigningSecret = new t.Type<string, string, unknown>(
  'SigningSecret',
  (u): u is string => typeof u === 'string' && u !== '',
  (u, c) => {
    if (typeof u !== 'string' || u === '') return t.failure(u, c, 'must be a non-empty string');
    if (u.startsWith('whsec_') && !/^[A-Za-z0-9+/]+={0,2}$/.test(u.slice(6))) {
      return t.failure(u, c, 'starts with whsec_ but the rest is not base64');
    }
    return t.success(u);
  },
  t.identity,
);

/** The http destination's options. Unknown keys are stripped by t.exact and reported by the config loader. */
export const HttpOptions = t.exact(
  t.intersection([
    t.type({ url: HttpUrl }),
    t.partial({
      method: t.keyof({ POST: null, PUT: null, PATCH: null }),
      headers: t.record(HeaderName, t.string),
      body: t.string,
      signingSecret: SigningSecret,
      timeout: Duration,
    }),
  ]),
  'HttpOptions',
);

/** Decoded options of an http destination. */
export type HttpOptions = t.TypeOf<typeof HttpOptions>;

/** The defaults, in one place: what an http destination does when an option is left out. */
export const HTTP_DEFAULTS = { method: 'POST', body: 'event' } as const;
