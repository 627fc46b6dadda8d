import { expect } from 'chai';
import { parseDuration, parseRate, parseSize } from '../../src/config/units.ts';

describe('config units', () => {
  const durations: Array<[string, number | undefined]> = [
    ['500ms', 500],
    ['1s', 1000],
    ['1.5s', 1500],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    // Found by an attack: a repeated or out-of-order unit is a typo, not a sum.
    ['1h1h', undefined],
    ['30m1h', undefined],
    ['1s500ms1s', undefined],
    ['0', 0],
    ['10', undefined],
    ['10 s', undefined],
    ['ten seconds', undefined],
    ['', undefined],
  ];
  for (const [text, ms] of durations) {
    it(`reads the duration ${JSON.stringify(text)} as ${ms}`, () => expect(parseDuration(text)).to.equal(ms));
  }

  const sizes: Array<[string, number | undefined]> = [
    ['256kb', 262_144],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['512b', 512],
    ['1000', 1000],
    ['1.5', undefined],
    ['lots', undefined],
  ];
  for (const [text, bytes] of sizes) {
    it(`reads the size ${JSON.stringify(text)} as ${bytes}`, () => expect(parseSize(text)).to.equal(bytes));
  }

  it('reads rates per second, minute and hour', () => {
    expect(parseRate('1/s')).to.deep.equal({ count: 1, perMs: 1000 });
    expect(parseRate('60/m')).to.deep.equal({ count: 60, perMs: 60_000 });
    expect(parseRate('10/min')).to.deep.equal({ count: 10, perMs: 60_000 });
    expect(parseRate('100/hour')).to.deep.equal({ count: 100, perMs: 3_600_000 });
  });

  it('refuses rates with no count or an unknown window', () => {
    expect(parseRate('0/s')).to.equal(undefined);
    expect(parseRate('5/fortnight')).to.equal(undefined);
    expect(parseRate('5')).to.equal(undefined);
    for (const name of ['constructor', 'toString', 'hasOwnProperty'])
      expect(parseRate(`5/${name}`)).to.equal(undefined);
  });
});
