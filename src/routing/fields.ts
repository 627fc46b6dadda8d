import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { nearest } from '../config/issues.ts';
import type { GatewayEvent } from '../event.ts';
import type { FieldCatalog } from './catalog.ts';

/**
 * Field paths: the left-hand side of a match entry. A field knows how to read its value from an event and
 * what kind of value that is, so conditions can check their operands when the config loads rather than
 * silently never matching at run time.
 */

/**
 * What a field holds. `type` has the vocabulary its sources declare, checked at build; `json` is anything in
 * the payload.
 */
export type FieldKind = 'type' | 'string' | 'number' | 'boolean' | 'json';

/** A value read from an event: a scalar, or (under `payload.`) any JSON object or list. */
export type FieldValue = string | number | boolean | object;

/** A resolved field path. */
export interface Field {
  /** The path as the user wrote it, for reasons and messages. */
  readonly path: string;
  readonly kind: FieldKind;
  /** The field's value, or undefined when the event has none (missing or null both count as absent). */
  read(event: GatewayEvent): FieldValue | undefined;
  /**
   * The value's string form, used by `regex`, by string equality and in reasons; undefined for objects and
   * lists, which no scalar condition matches. Status fields show a code as its name, except `status.code`.
   */
  text(value: FieldValue): string | undefined;
  /** Normalizes a scalar operand written in a route, when the field's source declares how (Left: the message). */
  operand?(written: unknown): Either<string, string | number | boolean>;
}

/** The envelope's routable paths, which every event has whatever its source. */
export const ENVELOPE_PATHS = ['type', 'source'] as const;

type Reader = (event: GatewayEvent) => unknown;

const scalarText = (value: FieldValue): string | undefined =>
  typeof value === 'object' ? undefined : String(value);

/** Absent unless it is a JSON value; null is absent too, so `exists` means "has a value". */
function present(value: unknown): FieldValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      return value === null ? undefined : value;
    default:
      return undefined;
  }
}

/** An own property only: `tags.constructor` or `payload.__proto__` must not reach Object.prototype. */
function own(container: unknown, key: string): unknown {
  if (typeof container !== 'object' || container === null) return undefined;
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/** Follows a dotted path into the payload; a numeric segment indexes a list, any segment names an object key. */
function readPath(root: unknown, segments: readonly string[]): unknown {
  let here = root;
  for (const segment of segments) {
    if (Array.isArray(here)) here = /^\d+$/.test(segment) ? here[Number(segment)] : undefined;
    else here = own(here, segment);
    if (here === undefined) return undefined;
  }
  return here;
}

function field(
  path: string,
  kind: FieldKind,
  read: Reader,
  text: Field['text'] = scalarText,
  operand?: Field['operand'],
): Field {
  return { path, kind, read: (event) => present(read(event)), text, ...(operand && { operand }) };
}

/**
 * A source's own `read` or `text`, with a throw taken as "no value": routing runs inside the commit of an
 * authentic webhook, and a bug in one plugin's hook must not turn every one of its webhooks into a 503. The
 * field is then absent, so `exists: false` matches and every other condition on it does not.
 */
function guarded<A, B>(hook: (a: A) => B): (a: A) => B | undefined {
  return (a) => {
    try {
      return hook(a);
    } catch {
      return undefined;
    }
  };
}

/** Resolves a field path as written in a match against what the configured sources declare, or says why not. */
export function resolveField(path: string, catalog: FieldCatalog): Either<string, Field> {
  if (path === 'type') return E.right(field(path, 'type', (e) => e.type, scalarText, catalog.typeOperand));
  if (path === 'source') return E.right(field(path, 'string', (e) => e.source));
  const declared = catalog.fields.get(path);
  if (declared !== undefined) {
    const segments = path.split('.');
    const read: Reader = declared.read ? guarded(declared.read) : (e) => readPath(e, segments);
    const text = declared.text ? guarded(declared.text) : scalarText;
    return E.right(field(path, declared.kind, read, text, declared.operand));
  }
  if (path.startsWith('tags.')) {
    // Tag keys are the user's own and may contain dots, so everything after `tags.` is the key.
    const key = path.slice('tags.'.length);
    return key === ''
      ? E.left('tags. needs a tag key, e.g. tags.campaign')
      : E.right(field(path, 'string', (e) => own(e.tags, key)));
  }
  if (path.startsWith('payload.')) {
    const segments = path.slice('payload.'.length).split('.');
    return segments.some((s) => s === '')
      ? E.left(`"${path}" has an empty segment; payload paths look like payload.message.id or payload.list.0`)
      : E.right(field(path, 'json', (e) => readPath(e.payload, segments)));
  }
  return E.left(unknownFieldMessage(path, catalog));
}

function unknownFieldMessage(path: string, catalog: FieldCatalog): string {
  const paths = [...ENVELOPE_PATHS, ...catalog.fields.keys()];
  // `tag.tier` should suggest `tags.tier`: offer the prefixed forms with the user's own rest of the path.
  const dot = path.indexOf('.');
  const rest = dot >= 0 ? path.slice(dot + 1) : '';
  // Combinators are left out: a short unknown word like `foo` would otherwise "suggest" `not`.
  const candidates = [...paths, ...(rest ? [`tags.${rest}`, `payload.${rest}`] : [])];
  const suggestion = nearest(path, candidates);
  if (suggestion !== undefined) return `unknown field path "${path}" (did you mean ${suggestion}?)`;
  const known = `${paths.join(', ')}, tags.<key> and payload.<path>`;
  return `unknown field path "${path}"; fields are ${known} (and the combinators any, all, not)`;
}
