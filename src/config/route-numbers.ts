/**
 * Numbers YAML read out of text meant for a text field of a route: `phone: +13125550143` is the number
 * 13125550143 to YAML, and `tags.code: 007` the number 7. A number compares with text by its string form
 * ("13125550143", "7"), so such a route never matched, and `check` said nothing. Found on the document, where a
 * plain scalar still has its spelling: only a number whose spelling is not its string form is reported (`3`
 * for a tag "3" is fine). The inverse of quoted-scalars.ts.
 */
import * as E from 'fp-ts/lib/Either.js';
import { type Document, isMap, isScalar, isSeq, type Scalar } from 'yaml';
import type { FieldCatalog } from '../routing/catalog.ts';
import { resolveField } from '../routing/fields.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';

/** Every operand of a text field in `routes:` that YAML read as a number spelt otherwise than its string form. */
export function misreadNumbersInRoutes(doc: Document, catalog: FieldCatalog): ConfigIssue[] {
  const routes = isMap(doc.contents) ? doc.contents.get('routes', true) : undefined;
  if (!isSeq(routes)) return [];
  return routes.items.flatMap((route, i) => {
    const match = isMap(route) ? route.get('match', true) : undefined;
    return match === undefined ? [] : inMatch(match, ['routes', i, 'match'], catalog);
  });
}

/** A match object: field paths and the combinators any/all (lists of matches) and not (a match). */
function inMatch(node: unknown, path: KeyPath, catalog: FieldCatalog): ConfigIssue[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') return [];
    const key = pair.key.value;
    if (key === 'any' || key === 'all')
      return isSeq(pair.value)
        ? pair.value.items.flatMap((item, i) => inMatch(item, [...path, key, i], catalog))
        : [];
    if (key === 'not') return inMatch(pair.value, [...path, key], catalog);
    const field = resolveField(key, catalog);
    // Only text fields: a number field reads the number as meant, and payload values may be either.
    if (E.isLeft(field) || field.right.kind !== 'string') return [];
    return inCondition(pair.value, [...path, key], field.right.path);
  });
}

/** A condition: a scalar, a list of them, or `in: [...]` / `not: condition`. */
function inCondition(node: unknown, path: KeyPath, field: string): ConfigIssue[] {
  if (isScalar(node)) return misread(node, path, field);
  if (isSeq(node)) return node.items.flatMap((item, i) => inCondition(item, [...path, i], field));
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => {
    const op = isScalar(pair.key) ? pair.key.value : undefined;
    return op === 'in' || op === 'not' ? inCondition(pair.value, [...path, op], field) : [];
  });
}

function misread(node: Scalar, path: KeyPath, field: string): ConfigIssue[] {
  const { value, source, type } = node as Scalar & { source?: string };
  if (type !== 'PLAIN' || typeof value !== 'number' || typeof source !== 'string') return [];
  const written = source.trim();
  if (written === String(value)) return [];
  return [
    {
      path,
      message: `${field} is text, but YAML reads ${written} unquoted as the number ${String(value)} (compared as "${String(value)}", not "${written}"): quote it, "${written}"`,
    },
  ];
}
