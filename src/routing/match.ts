import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { isRecord } from '../config/codecs.ts';
import { type ConfigIssue, collect, describeValue, fail, under } from '../config/issues.ts';
import type { GatewayEvent } from '../event.ts';
import type { FieldCatalog } from './catalog.ts';
import { type Condition, compileCondition, holds } from './conditions.ts';
import { failedReason, heldReason, phrase } from './explain.ts';
import { type Field, resolveField } from './fields.ts';

/**
 * Match objects: a mapping of field paths to conditions, all of which must hold, plus the combinators
 * `any: [match, ...]`, `all: [match, ...]` and `not: match` beside the field paths.
 */

/** The outcome of matching one event, with the reason in plain words. */
export interface Outcome {
  holds: boolean;
  reason: string;
}

/** A compiled match object or combinator. Evaluation is pure and never throws. */
export interface Matcher {
  /** What it asks for, e.g. `type = message-reply, tags.tier = vip` (used when a `not` explains itself). */
  readonly description: string;
  evaluate(event: GatewayEvent): Outcome;
}

/** Compiles a match object; issue paths are relative to the match node. */
export function compileMatch(raw: unknown, catalog: FieldCatalog): Either<ConfigIssue[], Matcher> {
  if (!isRecord(raw)) {
    return fail(
      [],
      `a match is a mapping of field paths to conditions, e.g. { type: message-reply }, not ${describeValue(raw, { wording: 'not' })}`,
    );
  }
  const entries = Object.entries(raw).map(([key, value]) =>
    E.mapLeft((i: ConfigIssue[]) => under([key], i))(compileKey(key, value, catalog)),
  );
  return E.map(allOf)(collect(entries));
}

function compileKey(key: string, value: unknown, catalog: FieldCatalog): Either<ConfigIssue[], Matcher> {
  if (key === 'any' || key === 'all') {
    return E.map(key === 'any' ? anyOf : nestedAll)(compileList(key, value, catalog));
  }
  if (key === 'not') return E.map(notOf)(compileMatch(value, catalog));
  const field = resolveField(key, catalog);
  if (E.isLeft(field)) return fail([], field.left);
  return E.map((condition: Condition) => entry(field.right, condition))(compileCondition(field.right, value));
}

function compileList(key: string, value: unknown, catalog: FieldCatalog): Either<ConfigIssue[], Matcher[]> {
  if (!Array.isArray(value) || value.length === 0) {
    return fail(
      [],
      `${key} takes a non-empty list of matches, e.g. ${key}: [{ type: message-reply }, { status.failed: true }]`,
    );
  }
  return collect(
    value.map((item, i) =>
      E.mapLeft((issues: ConfigIssue[]) => under([i], issues))(compileMatch(item, catalog)),
    ),
  );
}

function entry(field: Field, condition: Condition): Matcher {
  return {
    description: `${field.path} ${phrase(field, condition)}`,
    evaluate(event) {
      const value = field.read(event);
      return holds(condition, field, value)
        ? { holds: true, reason: heldReason(field, condition, value) }
        : { holds: false, reason: failedReason(field, condition, value) };
    },
  };
}

/** The entries of one match object: all must hold; a failure is explained by the first entry that failed. */
function allOf(parts: Matcher[]): Matcher {
  if (parts.length === 1) return parts[0];
  return {
    description: parts.length === 0 ? 'everything' : parts.map((p) => p.description).join(', '),
    evaluate(event) {
      const reasons: string[] = [];
      for (const part of parts) {
        const outcome = part.evaluate(event);
        if (!outcome.holds) return outcome;
        reasons.push(outcome.reason);
      }
      return { holds: true, reason: reasons.length === 0 ? 'everything' : reasons.join(', ') };
    },
  };
}

/** `all: [...]`: like the entries of one match object, bracketed so it reads apart from its neighbours. */
function nestedAll(parts: Matcher[]): Matcher {
  // A part with several entries is itself an and, so `all: [{a, b}, {c}]` reads as all of (a, b, c).
  const inner = allOf(parts);
  return {
    description: `all of (${inner.description})`,
    evaluate(event) {
      const outcome = inner.evaluate(event);
      return outcome.holds ? { holds: true, reason: `all of (${outcome.reason})` } : outcome;
    },
  };
}

/** `any: [...]`: explained by the first part that held, or by every part's failure. */
function anyOf(parts: Matcher[]): Matcher {
  return {
    description: `any of (${parts.map((p) => p.description).join('; ')})`,
    evaluate(event) {
      const failures: string[] = [];
      for (const part of parts) {
        const outcome = part.evaluate(event);
        if (outcome.holds) return { holds: true, reason: `any of (${outcome.reason})` };
        failures.push(outcome.reason);
      }
      return { holds: false, reason: `none of (${failures.join('; ')})` };
    },
  };
}

/** `not: match`: holds when the inner match does not. */
function notOf(inner: Matcher): Matcher {
  return {
    description: `not (${inner.description})`,
    evaluate(event) {
      const outcome = inner.evaluate(event);
      return outcome.holds
        ? { holds: false, reason: `${outcome.reason} (excluded by not)` }
        : { holds: true, reason: `not (${inner.description})` };
    },
  };
}
