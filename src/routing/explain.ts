import type { Comparison, Condition } from './conditions.ts';
import type { Field, FieldValue } from './fields.ts';

/**
 * Plain-words reasons for one match entry, as the `route` command and the admin API show them:
 * `status in [DELIVERY_FAILED, UNDELIVERED] (UNDELIVERED)` when it holds,
 * `status is DELIVERED, wanted one of DELIVERY_FAILED, UNDELIVERED` or `tags.tier is absent` when it does not.
 */

const LONGEST = 60;
const SYMBOL: Record<Comparison, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
const WANTED: Record<Comparison, string> = {
  gt: 'more than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
};
// A failed `not: { gt: 5 }` means the value is more than 5, so it wanted the opposite bound.
const OPPOSITE: Record<Comparison, Comparison> = { gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt' };

/** A value as reasons show it: statuses by name (codes for status.code), odd strings quoted, long ones cut. */
export function show(field: Field, value: FieldValue): string {
  const text = field.text(value);
  if (text === undefined) return cut(json(value));
  if (typeof value !== 'string' || /^[\w.+\-@:/#]+$/.test(text)) return cut(text);
  return JSON.stringify(cut(text));
}

/** The condition as a phrase after the field path: `= X`, `in [A, B]`, `matches /re/`, `exists`, `> 5`. */
export function phrase(field: Field, condition: Condition, negated = false): string {
  switch (condition.op) {
    case 'not':
      return phrase(field, condition.inner, !negated);
    case 'eq':
      return `${negated ? '!=' : '='} ${show(field, condition.value)}`;
    case 'in':
      return `${negated ? 'not in' : 'in'} [${condition.values.map((v) => show(field, v)).join(', ')}]`;
    case 'regex':
      return `${negated ? 'does not match' : 'matches'} ${condition.re}`;
    case 'exists':
      return condition.value !== negated ? 'exists' : 'is absent';
    default:
      return `${negated ? 'not ' : ''}${SYMBOL[condition.op]} ${condition.value}`;
  }
}

/** Why an entry held: its phrase, plus the actual value where the phrase alone does not say it. */
export function heldReason(field: Field, condition: Condition, value: FieldValue | undefined): string {
  const { base, negated } = unwrap(condition);
  const said = `${field.path} ${phrase(field, condition)}`;
  if (base.op === 'eq' && !negated) return said;
  if (value === undefined) return base.op === 'exists' ? said : `${said} (absent)`;
  return `${said} (${show(field, value)})`;
}

/** Why an entry did not hold: what the value is, and what was wanted. */
export function failedReason(field: Field, condition: Condition, value: FieldValue | undefined): string {
  // Only exists:false and nots hold on an absent value, so for everything else absence is the whole story.
  if (value === undefined) return `${field.path} is absent`;
  return `${field.path} is ${show(field, value)}, wanted ${wanted(field, condition)}`;
}

function wanted(field: Field, condition: Condition, negated = false): string {
  switch (condition.op) {
    case 'not':
      return wanted(field, condition.inner, !negated);
    case 'eq':
      return `${negated ? 'anything but ' : ''}${show(field, condition.value)}`;
    case 'in':
      return `${negated ? 'none' : 'one'} of ${condition.values.map((v) => show(field, v)).join(', ')}`;
    case 'regex':
      return `${negated ? 'no match' : 'a match'} for ${condition.re}`;
    case 'exists':
      return condition.value !== negated ? 'a value' : 'it absent';
    default: {
      const op = negated ? OPPOSITE[condition.op] : condition.op;
      return `${WANTED[op]} ${condition.value}`;
    }
  }
}

function unwrap(
  condition: Condition,
  negated = false,
): { base: Exclude<Condition, { op: 'not' }>; negated: boolean } {
  return condition.op === 'not' ? unwrap(condition.inner, !negated) : { base: condition, negated };
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    // Payloads come from JSON and cannot be cyclic, but a reason must never be the thing that throws.
    return '[unprintable value]';
  }
}

function cut(text: string): string {
  return text.length <= LONGEST ? text : `${text.slice(0, LONGEST - 1)}…`;
}
