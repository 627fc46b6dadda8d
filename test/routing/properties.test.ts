import { expect } from 'chai';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import type { GatewayEvent } from '../../src/event.ts';
import { buildRouter } from '../../src/routing/build.ts';
import { compileMatch } from '../../src/routing/match.ts';
import { EVENT_TYPES } from '../../src/sources/mta/event.ts';
import { statusOf } from '../../src/sources/mta/status.ts';
import { CATALOG, DESTINATIONS, event } from './events.ts';

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const tagKey = fc.oneof(
  fc.string(),
  fc.constantFrom('tier', 'store', '__proto__', 'constructor', 'toString'),
);

// Every optional field present or not, statuses known and unknown, any tags, any JSON payload.
const anyEvent: fc.Arbitrary<GatewayEvent> = fc
  .record({
    source: fc.string(),
    type: fc.constantFrom(...EVENT_TYPES),
    version: fc.constantFrom(1 as const, 2 as const, 3 as const),
    phone: optional(fc.oneof(fc.string(), fc.constantFrom('+13125550143', '+447700900123'))),
    messageId: optional(fc.oneof(fc.integer(), fc.double())),
    externalId: optional(fc.string()),
    status: optional(fc.integer({ min: -5, max: 40 }).map(statusOf)),
    text: optional(fc.oneof(fc.string(), fc.constantFrom('STOP', 'vip', '3'))),
    optInType: optional(fc.string()),
    senderName: optional(fc.string()),
    tags: fc.dictionary(tagKey, fc.oneof(fc.string(), fc.constantFrom('vip', '3', '5'))),
    payload: fc.jsonValue(),
  })
  .map((fields) => event(fields));

// Conditions built from the operands a field accepts, so that (nearly) every generated match builds.
const number = fc.double({ noNaN: true, noDefaultInfinity: true });
const regex = fc.constantFrom('^(?!STOP$)', '.*', '^v', '\\d+', '', 'DELIVER', '^1[0-4]$');
function condition(
  scalar: fc.Arbitrary<unknown>,
  ordered: fc.Arbitrary<unknown> | undefined,
): fc.Arbitrary<unknown> {
  const { cond } = fc.letrec<{ cond: unknown }>((tie) => ({
    cond: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(scalar, { minLength: 1, maxLength: 3 }),
      fc.record({ in: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
      fc.record({ regex }),
      fc.record({ exists: fc.boolean() }),
      ...(ordered
        ? [fc.tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), ordered).map(([op, v]) => ({ [op]: v }))]
        : []),
      fc.record({ not: tie('cond') }),
    ),
  }));
  return cond;
}
const statusOperand = fc.oneof(
  fc.constantFrom('DELIVERED', 'DELIVERY_FAILED', 'sent', 'UNKNOWN_15', '6'),
  fc.integer({ min: 1, max: 30 }),
);
const text = fc.oneof(fc.string(), fc.integer(), fc.constantFrom('vip', 'STOP', '3'));
const entry = fc.oneof(
  fc.tuple(fc.constantFrom('type'), condition(fc.constantFrom(...EVENT_TYPES, 'DELIVERY_STATUS'), undefined)),
  fc.tuple(fc.constantFrom('status', 'status.code', 'status.name'), condition(statusOperand, statusOperand)),
  fc.tuple(fc.constantFrom('status.failed', 'status.final'), condition(fc.boolean(), undefined)),
  fc.tuple(fc.constantFrom('version', 'messageId'), condition(fc.oneof(fc.integer(), number), number)),
  // a phone operand is a number with its country code, written in any punctuation
  fc.tuple(
    fc.constantFrom('phone'),
    condition(fc.constantFrom('+13125550143', '+1 (312) 555-0143', '+447700900123'), number),
  ),
  fc.tuple(
    fc.oneof(
      fc.constantFrom('source', 'text', 'optInType', 'externalId', 'senderName'),
      tagKey.filter((k) => k !== '').map((k) => `tags.${k}`),
    ),
    condition(text, number),
  ),
  fc.tuple(
    fc.constantFrom(
      'payload.a',
      'payload.0',
      'payload.a.0.b',
      'payload.__proto__',
      'payload.constructor.name',
      'payload.length',
    ),
    condition(fc.oneof(text, fc.boolean()), number),
  ),
);
const { match: anyMatch } = fc.letrec<{ match: Record<string, unknown> }>((tie) => ({
  match: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .uniqueArray(entry, { minLength: 1, maxLength: 3, selector: ([key]) => key })
      .map((es) => Object.fromEntries(es)),
    fc.record({ any: fc.array(tie('match'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ all: fc.array(tie('match'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('match') }),
  ),
}));

/** Whether a generated match holds for an event; the generators only make matches that build. */
function holds(raw: unknown, input: GatewayEvent): boolean {
  const built = compileMatch(raw, CATALOG);
  if (E.isLeft(built)) throw new Error(`generated match does not build: ${JSON.stringify(built.left)}`);
  return built.right.evaluate(input).holds;
}

describe('routing: properties', () => {
  it('never throws while evaluating any match against any event, and always gives a reason', () => {
    fc.assert(
      fc.property(anyMatch, anyEvent, (raw, input) => {
        const built = compileMatch(raw, CATALOG);
        expect(E.isRight(built), JSON.stringify(E.isLeft(built) && built.left)).to.equal(true);
        const outcome = E.isRight(built) ? built.right.evaluate(input) : undefined;
        expect(outcome?.holds).to.be.a('boolean');
        expect(outcome?.reason).to.be.a('string').and.not.equal('');
      }),
      { numRuns: 500 },
    );
  });

  it('inverts a match with not', () => {
    fc.assert(
      fc.property(anyMatch, anyEvent, (raw, input) => {
        expect(holds({ not: raw }, input)).to.equal(!holds(raw, input));
      }),
      { numRuns: 300 },
    );
  });

  it('inverts a condition with not', () => {
    fc.assert(
      fc.property(entry, anyEvent, ([path, cond], input) => {
        expect(holds({ [path]: { not: cond } }, input)).to.equal(!holds({ [path]: cond }, input));
      }),
      { numRuns: 300 },
    );
  });

  it('makes any the or of its parts and all the and', () => {
    fc.assert(
      fc.property(fc.array(anyMatch, { minLength: 1, maxLength: 4 }), anyEvent, (parts, input) => {
        const each = parts.map((p) => holds(p, input));
        expect(holds({ any: parts }, input)).to.equal(each.some(Boolean));
        expect(holds({ all: parts }, input)).to.equal(each.every(Boolean));
      }),
      { numRuns: 300 },
    );
  });

  it('makes several entries of one match the and of each entry alone', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { minLength: 1, maxLength: 4, selector: ([k]) => k }),
        anyEvent,
        (entries, input) => {
          const each = entries.map(([path, cond]) => holds({ [path]: cond }, input));
          expect(holds(Object.fromEntries(entries), input)).to.equal(each.every(Boolean));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('routes any event to each destination at most once, and calls it unrouted only when no route matched', () => {
    const route = fc.record(
      {
        match: anyMatch,
        to: fc.uniqueArray(fc.constantFrom(...DESTINATIONS), { minLength: 1 }),
        continue: fc.boolean(),
      },
      { requiredKeys: ['to'] },
    );
    fc.assert(
      fc.property(fc.array(route, { maxLength: 5 }), anyEvent, (routes, input) => {
        const built = buildRouter(routes, DESTINATIONS, CATALOG);
        if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
        const decision = built.right.route(input);
        const chosen = decision.destinations.map((d) => d.destination);
        expect(new Set(chosen).size).to.equal(chosen.length);
        expect(decision.unrouted).to.equal(!decision.routes.some((r) => r.matched));
        const stopped = decision.routes.findIndex((r, i) => r.matched && !routes[i].continue);
        expect(decision.routes.length).to.equal(stopped === -1 ? routes.length : stopped + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws while building from any value, and answers with a router or issues', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const built = buildRouter(raw, DESTINATIONS, CATALOG);
        expect(E.isRight(built) || built.left.length > 0).to.equal(true);
        expect(() => compileMatch(raw, CATALOG)).not.to.throw();
      }),
      { numRuns: 500 },
    );
  });
});
