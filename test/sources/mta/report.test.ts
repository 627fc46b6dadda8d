import { expect } from 'chai';
import * as t from 'io-ts';
import { describe as describeValue } from '../../../src/sources/mta/describe.ts';
import { report } from '../../../src/sources/mta/report.ts';

// Codecs named the way our messages read, as the reporter expects of any io-ts codec it renders.
function leaf<A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

/**
 * A field MTA marks optional: it may be absent or null (documented), and both mean "not given". The union
 * carries the inner codec's name so a wrong value reads "expected a string", not "expected a string | null".
 */
function optional<C extends t.Mixed>(codec: C) {
  return t.union([codec, t.null, t.undefined], codec.name);
}

/** Any JSON string. */
const Text = leaf('a string', (u): u is string => typeof u === 'string');

/** A JSON array of strings (e.g. MMS media URLs: provisional, so only the type is checked, not URL syntax). */
const TextList = t.array(Text, 'an array of strings');

/** MTA's ids and status codes: JSON numbers without a fraction. */
const WholeNumber = new t.Type<number, number, unknown>(
  'a whole number',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => {
    if (typeof u !== 'number') return t.failure(u, c, `expected a number, got ${describeValue(u)}`);
    return Number.isInteger(u) ? t.success(u) : t.failure(u, c, `expected a whole number, got ${u}`);
  },
  t.identity,
);

const Tags = t.record(t.string, Text, 'an object of string tags');

const Body = t.type({
  id: WholeNumber,
  note: optional(Text),
  tags: optional(Tags),
  urls: optional(TextList),
  plain: t.string,
  either: t.union([t.string, t.number], 'a string or a number'),
});

function problems(u: unknown) {
  const result = Body.decode(u);
  if (result._tag === 'Right') expect.fail('expected errors');
  return report(result.left);
}

const VALID = { id: 1, note: null, tags: null, urls: null, plain: 'p', either: 2 };

describe('the mta error reporter', () => {
  it('collapses the branches of an optional field into one message about the field', () => {
    expect(problems({ ...VALID, note: 5 })).to.deep.equal([
      { path: 'note', message: 'expected a string, got 5' },
    ]);
  });

  it('reports the deeper error, not the branches that failed at the top, when an optional object is wrong inside', () => {
    expect(problems({ ...VALID, tags: { a: 1, b: 'ok', c: false } })).to.deep.equal([
      { path: 'tags.a', message: 'expected a string, got 1' },
      { path: 'tags.c', message: 'expected a string, got false' },
    ]);
  });

  it('writes array indexes as numbers', () => {
    expect(problems({ ...VALID, urls: ['a', 2] })).to.deep.equal([
      { path: 'urls[1]', message: 'expected a string, got 2' },
    ]);
  });

  it('says a missing required field is required, however its codec words other failures', () => {
    const { id: _id, plain: _plain, ...rest } = VALID;
    expect(problems(rest)).to.deep.equal([
      { path: 'id', message: 'is required' },
      { path: 'plain', message: 'is required' },
    ]);
  });

  it("uses a codec's own message when it gives one", () => {
    expect(problems({ ...VALID, id: '7' })).to.deep.equal([
      { path: 'id', message: 'expected a number, got the string "7"' },
    ]);
  });

  it("words io-ts's own codecs plainly and uses a union's name", () => {
    expect(problems({ ...VALID, plain: 1, either: true })).to.deep.equal([
      { path: 'plain', message: 'expected a string, got 1' },
      { path: 'either', message: 'expected a string or a number, got true' },
    ]);
  });

  it('reports every bad field at once, in field order', () => {
    expect(
      problems({ id: 1.5, note: [], tags: 'x', urls: {}, plain: null, either: null }).map((p) => p.path),
    ).to.deep.equal(['id', 'note', 'tags', 'urls', 'plain', 'either']);
  });
});

describe('describing a value in an error message', () => {
  const cases: Array<[unknown, string]> = [
    ['abc', 'the string "abc"'],
    ['say "hi"', 'the string "say \\"hi\\""'],
    ['x'.repeat(50), `the string "${'x'.repeat(40)}…"`],
    [1.5, '1.5'],
    [false, 'false'],
    [null, 'null'],
    [[], 'an empty array'],
    [[1, 2], 'an array of 2 items'],
    [{ a: 1 }, 'an object'],
  ];
  for (const [value, words] of cases) {
    it(`describes ${JSON.stringify(value)} as ${words}`, () => {
      expect(describeValue(value)).to.equal(words);
    });
  }
});
