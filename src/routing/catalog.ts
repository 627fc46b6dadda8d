import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { describeValue, didYouMean } from '../config/issues.ts';
import { UNRECOGNIZED } from '../event.ts';
import type { SourceField, SourcePlugin } from '../sources/api.ts';

/**
 * What routes may name, gathered from the configured sources' plugins: their declared fields and event types.
 * Routing knows no provider; it checks a route against this when the config loads, so `stauts` is refused
 * with a suggestion and a status name is normalized to its code by the source that declared it.
 */
export interface FieldCatalog {
  /** Declared field paths; the first source to declare a path defines it. */
  fields: ReadonlyMap<string, SourceField>;
  /** Checks and normalizes a `type` operand: a declared type in its canonical spelling, or any when open. */
  typeOperand(written: unknown): Either<string, string>;
}

/** The catalog of these source plugins (each counted once, however many sources use it). */
export function catalogOf(plugins: Iterable<SourcePlugin>): FieldCatalog {
  const distinct = [...new Set(plugins)];
  const fields = new Map<string, SourceField>();
  for (const p of distinct) {
    for (const [path, f] of Object.entries(p.fields)) if (!fields.has(path)) fields.set(path, f);
  }
  const known = [
    ...new Set(distinct.flatMap((p) => (p.eventTypes === 'open' ? [] : p.eventTypes))),
    UNRECOGNIZED,
  ];
  const open = distinct.some((p) => p.eventTypes === 'open');
  return {
    fields,
    typeOperand(written) {
      if (typeof written !== 'string' || written.trim() === '') {
        return E.left(
          `${describeValue(written, { wording: 'not' })} is not an event type; types are ${known.join(', ')}${open ? ' or any' : ''}`,
        );
      }
      for (const p of distinct) {
        const canonical = p.canonicalType ? p.canonicalType(written) : written.trim();
        if (known.includes(canonical)) return E.right(canonical);
      }
      if (known.includes(written.trim().toLowerCase())) return E.right(written.trim().toLowerCase());
      // A source whose types come from the provider (`typeFrom`) may send any type: the value is taken as is.
      if (open) return E.right(written.trim());
      const canonical = written.trim().toLowerCase().replaceAll('_', '-');
      return E.left(
        `${describeValue(written, { wording: 'not' })} is not an event type${didYouMean(canonical, known)}`,
      );
    },
  };
}
