import { expect } from 'chai';
import { parseIsoTimestamp } from '../../../src/sources/mta/timestamp.ts';

const iso = (text: string) => {
  const ms = parseIsoTimestamp(text);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('reading ISO 8601 timestamps', () => {
  const valid: Array<[string, string]> = [
    ['2026-11-28T14:03:11.512Z', '2026-11-28T14:03:11.512Z'],
    ['2026-11-28T14:03:11Z', '2026-11-28T14:03:11.000Z'],
    ['2026-11-28T14:03:11.5Z', '2026-11-28T14:03:11.500Z'],
    ['2026-11-28T14:03:11.123456789Z', '2026-11-28T14:03:11.123Z'],
    ['2026-11-28T14:03Z', '2026-11-28T14:03:00.000Z'],
    ['2026-11-28t14:03:11z', '2026-11-28T14:03:11.000Z'],
    ['2026-11-28 14:03:11Z', '2026-11-28T14:03:11.000Z'],
    ['2026-11-28T09:03:11-05:00', '2026-11-28T14:03:11.000Z'],
    ['2026-11-28T19:33:11+0530', '2026-11-28T14:03:11.000Z'],
    ['2026-11-29T00:03:11+10', '2026-11-28T14:03:11.000Z'],
    ['2026-11-28T14:03:11', '2026-11-28T14:03:11.000Z'], // no zone: MTA documents UTC
    ['2026-11-28', '2026-11-28T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
  ];
  for (const [text, expected] of valid) {
    it(`reads ${text} as ${expected}`, () => {
      expect(iso(text)).to.equal(expected);
    });
  }

  const invalid = [
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-11-28T24:00:00Z',
    '2026-11-28T14:60:00Z',
    '2026-11-28T14:03:60Z',
    '2026-11-28T14:03:11+24:00',
    '2026-11-28T14:03:11+05:60',
    '2026-11-28T14',
    'Sat, 28 Nov 2026 14:03:11 GMT',
    '1795874591512',
    ' 2026-11-28T14:03:11Z',
    '',
  ];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(parseIsoTimestamp(text)).to.equal(undefined);
    });
  }
});
