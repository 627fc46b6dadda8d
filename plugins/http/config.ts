/** Options of the `http` destination: the codec users' YAML is decoded with, and the defaults applied after. */
import { HttpUrl, Timeout, t } from 'switchboard/plugin-sdk';

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
      timeout: Timeout,
      /** A PEM file of CA certificates to trust for the receiver's TLS certificate, besides the public CAs. */
      ca: t.string,
    }),
  ]),
  'HttpOptions',
);

/** Decoded options of an http destination. */
export type HttpOptions = t.TypeOf<typeof HttpOptions>;

/** The defaults, in one place: what an http destination does when an option is left out. */
export const HTTP_DEFAULTS = { method: 'POST', body: 'event' } as const;
