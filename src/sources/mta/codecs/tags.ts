import * as t from 'io-ts';
import { Text } from './fields.ts';

/** The tags given when a message was sent, echoed by MTA in every later webhook about it. */
export type Tags = Record<string, string>;

/**
 * `tags`: an object of string → string. Every non-string value is reported at `tags.<key>`.
 *
 * The decoded object is a new plain object holding only the body's own keys, each created with
 * `Object.defineProperty`. So a `__proto__` key (which JSON.parse makes an own key) becomes an ordinary own tag
 * and never changes any prototype; `constructor` likewise is just a tag. Such keys are kept rather than
 * rejected: they are data a sender chose, and rejecting them would push an authentic webhook into the rejected
 * log for no gain. Values are always strings, so even a consumer that copies tags with plain assignment cannot
 * set a prototype through them. Consumers should still look tags up with `Object.hasOwn`, since events read
 * back from the store are ordinary objects where `tags.constructor` is inherited when no such tag exists.
 */
export const Tags = new t.Type<Tags, Tags, unknown>(
  'an object of string tags',
  (u): u is Tags => isPlainObject(u) && Object.values(u).every((v) => typeof v === 'string'),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c);
    const tags: Tags = {};
    const errors: t.Errors = [];
    for (const key of Object.keys(u)) {
      const value = u[key];
      if (typeof value === 'string') {
        Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        errors.push({ value, context: t.appendContext(c, key, Text, value) });
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(tags);
  },
  t.identity,
);

/** Absent or null tags are `{}` on the event (contract §3). */
export function tagsOf(tags: Tags | null | undefined): Tags {
  return tags ?? {};
}

function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
