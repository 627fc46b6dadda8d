import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { didYouMean } from '../config/issues.ts';
import { EVENT_TYPES, UNRECOGNIZED } from '../event.ts';

/** Every `type` a rule may name: the decoded kinds and `unrecognized` (authentic bodies that did not decode). */
const ROUTABLE_TYPES: readonly string[] = [...EVENT_TYPES, UNRECOGNIZED];

import { STATUS_CODES, STATUS_NAMES } from '../sources/mta/status.ts';
import type { Field, FieldValue } from './fields.ts';
import { quote } from './validation.ts';

/**
 * The right-hand side of a condition. Operands are normalized when the config loads (a status becomes its
 * code, an event type its canonical spelling), so evaluation is a plain comparison that cannot fail.
 */

/** A normalized operand: status operands are codes, `type` operands are canonical event types. */
export type Operand = string | number | boolean;

/** Checks and normalizes an operand of equality or `in` for this field; Left is the message. */
export function operandFor(field: Field, raw: unknown): Either<string, Operand> {
  switch (field.kind) {
    case 'type':
      return eventType(raw);
    case 'status':
      return statusCode(raw);
    case 'boolean':
      return typeof raw === 'boolean'
        ? E.right(raw)
        : E.left(`${field.path} is true or false, not ${quote(raw)}`);
    case 'number':
      return numberOperand(field, raw);
    case 'string':
      if (typeof raw === 'string' || typeof raw === 'number') return E.right(raw);
      // YAML reads `tags.vip: true` as a boolean; a tag is text, so it would never match. Say so now.
      if (typeof raw === 'boolean')
        return E.left(`${field.path} is text; quote the value ("${raw}") to match it`);
      return E.left(`${quote(raw)} is not a value ${field.path} can equal`);
    case 'json':
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return E.right(raw);
      if (raw === null)
        return E.left(`null never matches; use { exists: false } for a missing or null value`);
      return E.left(
        `${quote(raw)} is not a value ${field.path} can equal; write a string, number or boolean`,
      );
  }
}

/** Checks the operand of gt/gte/lt/lte for this field; Left is the message. */
export function boundFor(field: Field, operator: string, raw: unknown): Either<string, number> {
  if (field.kind === 'type' || field.kind === 'boolean')
    return E.left(`${field.path} cannot be compared with ${operator}`);
  if (field.kind === 'status') return statusCode(raw);
  if (typeof raw === 'number' && Number.isFinite(raw)) return E.right(raw);
  return E.left(`${operator} needs a number, not ${quote(raw)}`);
}

/**
 * Scalar equality: numbers to numbers, strings to strings, booleans to booleans; a number and a string compare
 * by the number's string form (`tags.store: 3` matches the tag "3"). Objects and lists equal nothing.
 */
export function equals(actual: FieldValue, operand: Operand): boolean {
  if (typeof actual === typeof operand) return actual === operand;
  if (typeof actual === 'number' && typeof operand === 'string') return String(actual) === operand;
  if (typeof actual === 'string' && typeof operand === 'number') return actual === String(operand);
  return false;
}

/** A value as a number for gt/gte/lt/lte: numbers, and strings that spell one (tags are always strings). */
export function numeric(actual: FieldValue): number | undefined {
  if (typeof actual === 'number') return Number.isFinite(actual) ? actual : undefined;
  if (typeof actual !== 'string' || actual.trim() === '') return undefined;
  const n = Number(actual);
  return Number.isFinite(n) ? n : undefined;
}

function numberOperand(field: Field, raw: unknown): Either<string, number> {
  if (typeof raw === 'number') return E.right(raw);
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)))
    return E.right(Number(raw));
  return E.left(`${field.path} is a number, not ${quote(raw)}`);
}

/** `delivery-status`, or MTA's enum spelling `DELIVERY_STATUS`, in any case. */
function eventType(raw: unknown): Either<string, string> {
  if (typeof raw !== 'string')
    return E.left(`${quote(raw)} is not an event type; types are ${ROUTABLE_TYPES.join(', ')}`);
  const canonical = raw.trim().toLowerCase().replaceAll('_', '-');
  if (ROUTABLE_TYPES.includes(canonical)) return E.right(canonical);
  return E.left(`${quote(raw)} is not an event type${didYouMean(canonical, ROUTABLE_TYPES)}`);
}

/** A status name (any case), `UNKNOWN_<n>` for codes MTA may add later, or a code; normalized to the code. */
function statusCode(raw: unknown): Either<string, number> {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw > 0 ? E.right(raw) : E.left(`${raw} is not a delivery status code`);
  }
  if (typeof raw !== 'string') return E.left(`${quote(raw)} is not a delivery status`);
  const name = raw.trim().toUpperCase();
  const known = STATUS_CODES.get(name);
  if (known !== undefined) return E.right(known);
  if (/^\d+$/.test(name) && Number(name) > 0) return E.right(Number(name));
  const unknown = /^UNKNOWN_(\d+)$/.exec(name);
  if (unknown) {
    const code = Number(unknown[1]);
    // UNKNOWN_4 would silently mean DELIVERED; the event itself would never be named that way.
    if (STATUS_NAMES[code] !== undefined)
      return E.left(`${quote(raw)} names a known code; write ${STATUS_NAMES[code]}`);
    return E.right(code);
  }
  return E.left(`${quote(raw)} is not a delivery status${didYouMean(name, STATUS_CODES.keys())}`);
}
