import { expect } from 'chai';
import { decodeMtaBody } from '../../../src/sources/mta/decode.ts';

// The MTA event time (`timestamp`, or its alias `date`) as decoded in-process: every accepted time is ISO 8601
// UTC with a four-digit year, and every coercion carries a note that says what was done.
const body = (time: Record<string, unknown>) => ({
  type: 'delivery-status',
  destinationNumber: '+13125550143',
  messageId: 880012347,
  status: 4,
  ...time,
});
const decode = (time: Record<string, unknown>) =>
  decodeMtaBody(body(time), { version: 3, defaultCountry: '1' });
const ok = (time: Record<string, unknown>) => {
  const r = decode(time);
  if (r._tag === 'Left') throw new Error(JSON.stringify(r.left));
  return r.right;
};
const refused = (time: Record<string, unknown>) => {
  const r = decode(time);
  expect(r._tag, JSON.stringify(r)).to.equal('Left');
  if (r._tag === 'Right') return;
  expect(r.left.status).to.equal(400);
  expect(r.left.details.map((d) => d.path)).to.deep.equal(['timestamp']);
};

describe('MTA event times: range, whitespace, dates alone and null aliases', () => {
  describe('a time whose UTC year is not 0000-9999 is refused (toISOString would give "+010000-…")', () => {
    for (const timestamp of [
      '9999-12-31T23:59:59-05:00',
      '0000-01-01T00:00:00+01:00',
      8640000000000000,
      '253402300800000',
    ]) {
      it(`refuses ${JSON.stringify(timestamp)}`, () => refused({ timestamp }));
    }
    it('still reads the last millisecond of 9999 and the first of 0000', () => {
      expect(ok({ timestamp: 253402300799999 }).occurredAt).to.equal('9999-12-31T23:59:59.999Z');
      expect(ok({ timestamp: '0000-01-01T00:00:00Z' }).occurredAt).to.equal('0000-01-01T00:00:00.000Z');
      expect(ok({ timestamp: '9999-12-31T23:59:59+05:00' }).occurredAt).to.equal('9999-12-31T18:59:59.000Z');
    });
  });

  describe('whitespace around a time is removed with a note', () => {
    for (const timestamp of [
      ' 2026-11-28T14:03:11Z',
      '2026-11-28T14:03:11Z\n',
      '\u00a02026-11-28T14:03:11Z',
    ]) {
      it(`notes ${JSON.stringify(timestamp)}`, () => {
        const event = ok({ timestamp });
        expect(event.occurredAt).to.equal('2026-11-28T14:03:11.000Z');
        expect(event.decodeNotes?.map((n) => `${n.path}:${n.kind}`)).to.deep.equal(['timestamp:padded-time']);
      });
    }
    it('notes it beside the epoch note of a padded digit string', () => {
      const event = ok({ timestamp: ' 1795874591 ' });
      expect(event.occurredAt).to.equal('2026-11-28T14:03:11.000Z');
      expect(event.decodeNotes?.map((n) => n.kind)).to.deep.equal(['padded-time', 'epoch-seconds']);
    });
    it('adds no note to a time without whitespace', () => {
      expect(ok({ timestamp: '2026-11-28T14:03:11Z' }).decodeNotes).to.equal(undefined);
    });
  });

  // Ruby's Time#to_s writes "2026-11-28 14:03:11 UTC" and "2026-11-28 09:03:11 -0500", Go's time.Time a zone
  // after a space too: each was "expected an ISO 8601 time", and the whole body became `unrecognized`.
  describe('a zone after a space, or named UTC or GMT, is read with a note', () => {
    for (const [timestamp, iso] of [
      ['2026-11-28 14:03:11 UTC', '2026-11-28T14:03:11.000Z'],
      ['2026-11-28T14:03:11.512 utc', '2026-11-28T14:03:11.512Z'],
      ['2026-11-28 14:03:11 GMT', '2026-11-28T14:03:11.000Z'],
      ['2026-11-28T14:03:11 Z', '2026-11-28T14:03:11.000Z'],
      ['2026-11-28 09:03:11 -0500', '2026-11-28T14:03:11.000Z'],
      ['2026-11-28 19:33:11 +05:30', '2026-11-28T14:03:11.000Z'],
      ['2026-11-28T14:03:11UTC', '2026-11-28T14:03:11.000Z'],
    ]) {
      it(`reads ${JSON.stringify(timestamp)} as ${iso}`, () => {
        const event = ok({ timestamp });
        expect(event.occurredAt).to.equal(iso);
        expect(event.decodeNotes?.map((n) => n.kind)).to.include('written-zone');
        expect(event.decodeNotes?.map((n) => n.kind)).to.not.include('zoneless-time');
      });
    }
    for (const timestamp of ['2026-11-28 UTC', '2026-11-28 14:03:11 EST', '2026-11-28 14:03:11 UTC UTC']) {
      it(`still refuses ${JSON.stringify(timestamp)}`, () => refused({ timestamp }));
    }
  });

  it('says a date alone was read as midnight UTC (it has no time to be "without a zone")', () => {
    const event = ok({ timestamp: '2026-11-28' });
    expect(event.occurredAt).to.equal('2026-11-28T00:00:00.000Z');
    expect(event.decodeNotes).to.deep.equal([
      { path: 'timestamp', kind: 'zoneless-time', message: 'a date without a time, read as midnight UTC' },
    ]);
  });

  it('a null `date` (no `timestamp`) is absent, with no alias note: nothing was read from it', () => {
    const event = ok({ date: null });
    expect(event.occurredAt).to.equal(undefined);
    expect(event.decodeNotes).to.equal(undefined);
  });
});
