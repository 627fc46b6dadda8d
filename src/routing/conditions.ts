import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { isRecord } from '../config/codecs.ts';
import { type ConfigIssue, collect, describeValue, didYouMean, fail, under } from '../config/issues.ts';
import type { Field, FieldValue } from './fields.ts';
import { boundFor, equals, numeric, type Operand, operandFor } from './operands.ts';
// For its side effect: V8's linear-time fallback for route regexes, which must be on before one is compiled.
import './regex-hazard.ts';

/**
 * Conditions: the right-hand side of a match entry. A scalar means "equals", a list means "any of", and a
 * mapping names exactly one operator. Everything that can be wrong with a condition is found here, at build;
 * `holds` is total and never throws.
 */

/** The comparison operators, in the order messages list them. */
export const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
/** One of gt, gte, lt, lte. */
export type Comparison = (typeof COMPARISONS)[number];
/** The operators a condition mapping may use. */
export const OPERATORS = ['in', 'not', 'regex', 'exists', ...COMPARISONS] as const;

/** A compiled condition. Operands are already normalized (see operands.ts); regexes are already compiled. */
export type Condition =
  | { readonly op: 'eq'; readonly value: Operand }
  | { readonly op: 'in'; readonly values: readonly Operand[] }
  | { readonly op: 'regex'; readonly re: RegExp }
  | { readonly op: 'exists'; readonly value: boolean }
  | { readonly op: Comparison; readonly value: number }
  | { readonly op: 'not'; readonly inner: Condition };

/** Compiles the condition for one field; issue paths are relative to the condition's node. */
export function compileCondition(field: Field, raw: unknown): Either<ConfigIssue[], Condition> {
  if (Array.isArray(raw)) {
    return E.map((values: Operand[]): Condition => ({ op: 'in', values }))(operandList(field, raw));
  }
  if (isRecord(raw)) return compileOperator(field, raw);
  return E.bimap(
    (message: string): ConfigIssue[] => [{ path: [], message }],
    (value: Operand): Condition => ({ op: 'eq', value }),
  )(operandFor(field, raw));
}

/** Whether the condition holds for a field's value. An absent value satisfies only `exists: false` (and nots). */
export function holds(condition: Condition, field: Field, value: FieldValue | undefined): boolean {
  if (condition.op === 'not') return !holds(condition.inner, field, value);
  if (condition.op === 'exists') return (value !== undefined) === condition.value;
  if (value === undefined) return false;
  switch (condition.op) {
    case 'eq':
      return equals(value, condition.value);
    case 'in':
      return condition.values.some((operand) => equals(value, operand));
    case 'regex': {
      const text = field.text(value);
      return text !== undefined && condition.re.test(text);
    }
    default:
      return compare(condition.op, numeric(value), condition.value);
  }
}

function compare(op: Comparison, actual: number | undefined, bound: number): boolean {
  if (actual === undefined) return false;
  if (op === 'gt') return actual > bound;
  if (op === 'gte') return actual >= bound;
  if (op === 'lt') return actual < bound;
  return actual <= bound;
}

function compileOperator(field: Field, raw: Record<string, unknown>): Either<ConfigIssue[], Condition> {
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !(OPERATORS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return E.left(
      unknown.map((k) => ({ path: [k], message: `unknown operator "${k}"${didYouMean(k, OPERATORS)}` })),
    );
  }
  if (keys.length === 0) return fail([], `a condition mapping needs one of ${OPERATORS.join(', ')}`);
  if (keys.length > 1) {
    return fail(
      [],
      `a condition takes one operator, not ${keys.join(' and ')}; combine conditions with all: [...]`,
    );
  }
  const op = keys[0] as (typeof OPERATORS)[number];
  const operand = raw[op];
  const at = (e: Either<string, Condition>) =>
    E.mapLeft((message: string): ConfigIssue[] => [{ path: [op], message }])(e);
  switch (op) {
    case 'in':
      if (!Array.isArray(operand))
        return fail([op], `in takes a list of values, not ${describeValue(operand, { wording: 'not' })}`);
      return E.bimap(
        (issues: ConfigIssue[]) => under([op], issues),
        (values: Operand[]): Condition => ({ op, values }),
      )(operandList(field, operand));
    case 'not':
      return E.bimap(
        (issues: ConfigIssue[]) => under([op], issues),
        (inner: Condition): Condition => ({ op, inner }),
      )(compileCondition(field, operand));
    case 'regex':
      return at(E.map((re: RegExp): Condition => ({ op, re }))(compileRegex(operand)));
    case 'exists':
      return typeof operand === 'boolean'
        ? E.right({ op, value: operand })
        : fail([op], `exists is true or false, not ${describeValue(operand, { wording: 'not' })}`);
    default:
      return at(E.map((value: number): Condition => ({ op, value }))(boundFor(field, op, operand)));
  }
}

function operandList(field: Field, raw: unknown[]): Either<ConfigIssue[], Operand[]> {
  if (raw.length === 0) return fail([], 'an empty list matches nothing; list at least one value');
  return collect(
    raw.map((item, i) =>
      E.mapLeft((message: string): ConfigIssue[] => [{ path: [i], message }])(operandFor(field, item)),
    ),
  );
}

/**
 * A route's `regex:` operand as the RegExp it runs as (Unicode mode when it needs it, see needsUnicode; the flags
 * of a leading `(?i)`, see leadingFlags), or why it is none. Compiled after regex-hazard.ts set V8's linear-time
 * fallback (imported above for that).
 */
export function compileRegex(raw: unknown): Either<string, RegExp> {
  if (typeof raw !== 'string')
    return E.left(`regex takes a string, not ${describeValue(raw, { wording: 'not' })}`);
  const lead = leadingFlags(raw);
  if (typeof lead === 'string') return E.left(`bad regex ${JSON.stringify(raw)}: ${lead}`);
  const pattern = raw.slice(lead.length);
  const unicode = needsUnicode(pattern);
  try {
    return E.right(new RegExp(pattern, `${lead.flags}${unicode ? 'u' : ''}`));
  } catch (err) {
    // The engine's own message names the problem precisely ("Unterminated group", "Nothing to repeat").
    const why = unicode
      ? ' (\\p{…}, \\P{…} and \\u{…} need Unicode mode, which is stricter: escape a literal { } ( ) [ ] as \\{ and so on)'
      : INLINE_FLAGS.test(pattern)
        ? ' (flags such as (?i) work only at the very start of the pattern)'
        : '';
    return E.left(`bad regex ${JSON.stringify(raw)}: ${(err as Error).message}${why}`);
  }
}

/** An inline flag group, `(?i)` or `(?i:`, the RE2/PCRE way of writing flags that JavaScript patterns lack. */
const INLINE_FLAGS = /\(\?[a-zA-Z]+[:)]/;

/** What each letter of a leading flag group means, as JavaScript's flag of the same letter. */
const FLAG_MEANINGS: Readonly<Record<string, string>> = {
  i: 'ignore case',
  m: '^ and $ match at line ends',
  s: '. matches a line break',
};

/**
 * The flags of a pattern's leading `(?i)`, `(?s)`, `(?m)` or a mix (`(?is)`), and the group's length, or why the
 * group is not one. Alertmanager, Prometheus and Vector (RE2, Rust's regex) write case-insensitivity that way,
 * and JavaScript refused it as an invalid group, so `(?i)^stop$` was a config error; letters that mean nothing
 * here (`x`, `U`) are still one, naming the letters that do.
 */
function leadingFlags(pattern: string): { flags: string; length: number } | string {
  const group = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (group === null) return { flags: '', length: 0 };
  const letters = [...new Set(group[1])];
  const unknown = letters.filter((f) => !(f in FLAG_MEANINGS));
  if (unknown.length > 0) {
    const known = Object.entries(FLAG_MEANINGS).map(([f, meaning]) => `${f} (${meaning})`);
    const named = unknown.map((f) => `"${f}"`).join(', ');
    return `a leading ${group[0]} sets flags, and ${named} ${unknown.length > 1 ? 'are not flags' : 'is not a flag'} a route regex has; use ${known.join(', ')}`;
  }
  return { flags: letters.join(''), length: group[0].length };
}

/**
 * Whether a pattern uses `\p{…}`, `\P{…}` (Unicode properties) or `\u{…}` (a code point), which mean that only
 * in Unicode mode (the `u` flag). Without it they silently meant the letters `p{…}`, so `"\\p{Lu}+"` never
 * matched a capital and `"\\p{Extended_Pictographic}"` no emoji. Other patterns keep the mode they always had.
 */
function needsUnicode(pattern: string): boolean {
  for (let i = 0; i < pattern.length - 2; i++) {
    if (pattern[i] !== '\\') continue;
    if ('pPu'.includes(pattern[i + 1]) && pattern[i + 2] === '{') return true;
    i++; // the escaped character, so `\\p{` (a backslash, then p{) is not taken for one
  }
  return false;
}
