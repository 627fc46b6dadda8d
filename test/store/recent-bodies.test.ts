import { expect } from 'chai';
import { bodyKey, RecentBodies } from '../../src/store/sqlite/recent-bodies.ts';

describe('store: RecentBodies (the SQLite store’s index of recent bodies)', () => {
  const hash = (n: number) => n.toString(16).padStart(64, '0');
  const key = (n: number, source = 's') => bodyKey(source, hash(n));

  it('keys a body by its source and hash, as an exact 52-bit integer', () => {
    const keys = new Set<number>();
    for (let i = 0; i < 10_000; i++) keys.add(key(i)).add(key(i, 'other'));
    expect(keys.size).to.equal(20_000);
    for (const k of keys) expect(Number.isSafeInteger(k) && k >= 0 && k < 2 ** 52).to.equal(true);
  });

  it('answers the rows that may hold a body, and nothing for an unknown one', () => {
    const index = new RecentBodies();
    index.cover(1_000_000, 60_000, () => []);
    index.add(key(1), 11, 1_000_000);
    index.add(key(1, 'other'), 12, 1_000_000);
    index.add(key(1), 13, 1_000_500);
    expect(index.candidates(key(1))).to.have.members([11, 13]);
    expect(index.candidates(key(1, 'other'))).to.deep.equal([12]);
    expect(index.candidates(key(2))).to.deep.equal([]);
  });

  it('loads only the range it has not covered yet', () => {
    const index = new RecentBodies();
    const asked: Array<[number, number]> = [];
    const load = (from: number, to: number): Array<[number, number, number]> => {
      asked.push([from, to]);
      return [[1, key(from), from]];
    };
    index.cover(100_000, 10_000, load);
    index.cover(100_500, 10_000, load);
    index.cover(100_500, 50_000, load);
    expect(asked).to.deep.equal([
      [90_000, Number.MAX_SAFE_INTEGER],
      [50_500, 90_000],
    ]);
    expect(index.candidates(key(50_500))).to.deep.equal([1]);
  });

  it('sweeps bodies older than the longest window when it grows, and keeps the others', () => {
    const index = new RecentBodies();
    index.cover(0, 10_000, () => []);
    for (let i = 0; i < 100_000; i++) index.add(key(i), i, i * 1_000);
    // 10 s of a body a second is all that must be kept; the table held at most a few thousand at any time.
    expect(index.size).to.be.below(4_000);
    for (let i = 100_000 - 10; i < 100_000; i++) expect(index.candidates(key(i))).to.deep.equal([i]);
    expect(index.candidates(key(5))).to.deep.equal([]);
  });
});
