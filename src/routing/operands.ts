import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { describeValue } from '../config/issues.ts';
import type { Field, FieldValue } from './fields.ts';

/**
 * The right-hand side of a condition. Operands are normalized when the config loads (a status becomes its
 * code, an event type its canonical spelling), so evaluation is a plain comparison that cannot fail.
 */

/** A normalized operand: status operands are codes, `type` operands are canonical event types. */
export type Operand = string | number | boolean;

/** Checks and normalizes an operand of equality or `in` for this field; Left is the message. */
export function operandFor(field: Field, raw: unknown): Either<string, Operand> {
  // The field's source (or, for `type`, the configured sources) knows its vocabulary: a status name, an enum.
  if (field.operand) return field.operand(raw);
  switch (field.kind) {
    case 'type':
      return typeof raw === 'string'
        ? E.right(raw)
        : E.left(`${describeValue(raw, { wording: 'not' })} is not an event type`);
    case 'boolean':
      return typeof raw === 'boolean'
        ? E.right(raw)
        : E.left(`${field.path} is true or false, not ${describeValue(raw, { wording: 'not' })}`);
    case 'number':
      return numberOperand(field, raw);
    case 'string':
      if (typeof raw === 'string' || typeof raw === 'number') return E.right(raw);
      // YAML reads `tags.vip: true` as a boolean; a tag is text, so it would never match. Say so now.
      if (typeof raw === 'boolean')
        return E.left(`${field.path} is text; quote the value ("${raw}") to match it`);
      return E.left(`${describeValue(raw, { wording: 'not' })} is not a value ${field.path} can equal`);
    case 'json':
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return E.right(raw);
      if (raw === null)
        return E.left(`null never matches; use { exists: false } for a missing or null value`);
      return E.left(
        `${describeValue(raw, { wording: 'not' })} is not a value ${field.path} can equal; write a string, number or boolean`,
      );
  }
}

/** Checks the operand of gt/gte/lt/lte for this field; Left is the message. */
export function boundFor(field: Field, operator: string, raw: unknown): Either<string, number> {
  if (field.kind === 'type' || field.kind === 'boolean')
    return E.left(`${field.path} cannot be compared with ${operator}`);
  if (field.operand && field.kind === 'number') {
    const normalized = field.operand(raw);
    if (E.isLeft(normalized) || typeof normalized.right === 'number')
      return normalized as Either<string, number>;
    return E.left(`${operator} needs a number, not ${describeValue(raw, { wording: 'not' })}`);
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return E.right(raw);
  return E.left(`${operator} needs a number, not ${describeValue(raw, { wording: 'not' })}`);
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
  return E.left(`${field.path} is a number, not ${describeValue(raw, { wording: 'not' })}`);
}
