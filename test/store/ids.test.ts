import { expect } from 'chai';
import { ulids } from '../../src/ids.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The milliseconds a ULID's first 10 characters encode. */
function timeOf(id: string): number {
  return [...id.slice(0, 10)].reduce((t, c) => t * 32 + ALPHABET.indexOf(c), 0);
}

describe('ids (ULID)', () => {
  // A generator of its own: the process's newId has seen other tests' clocks.
  let newId: ReturnType<typeof ulids>;
  beforeEach(() => {
    newId = ulids();
  });

  it('is 26 Crockford base32 characters whose first 10 encode the time', () => {
    const now = Date.parse('2031-03-04T05:06:07.089Z');
    const id = newId(now);
    expect(id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(timeOf(id)).to.equal(now);
  });

  it('sorts in creation order within one millisecond, and after a clock step back', () => {
    const now = Date.parse('2032-01-01T00:00:00.000Z');
    const ids = Array.from({ length: 1_000 }, () => newId(now));
    ids.push(newId(now - 5_000)); // the clock went back: still after the last one
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(timeOf(ids.at(-1)!)).to.equal(now);
  });

  it('draws a new random part in a new millisecond', () => {
    const now = Date.parse('2033-01-01T00:00:00.000Z');
    const a = newId(now);
    const b = newId(now + 1);
    expect(timeOf(b)).to.equal(now + 1);
    expect(b.slice(10)).to.not.equal(a.slice(10));
  });
});
