import { expect } from 'chai';
import { EVENT_TYPES } from '../../../src/sources/mta/event.ts';
import { decodeMta, mtaSource, SAMPLE_BODIES, sampleEvent } from '../../../src/sources/mta/index.ts';

describe('the mta source descriptor', () => {
  it('names its kind, its event types, its options and its routable fields', () => {
    expect(mtaSource.kind).to.equal('mta');
    expect(mtaSource.eventTypes).to.deep.equal([
      'delivery-status',
      'message-reply',
      'message-send',
      'number-opt-in',
    ]);
    expect(mtaSource.options.decode({})).to.deep.equal({
      _tag: 'Right',
      right: { version: 3, defaultCountry: '1' },
    });
    expect(Object.keys(mtaSource.fields)).to.include.members([
      'status',
      'status.name',
      'phone',
      'text',
      'version',
    ]);
  });

  it('decodes a body into the same event decodeMta gives, once the envelope is added', () => {
    const body = { ...structuredClone(SAMPLE_BODIES[3]['message-reply']) };
    const decoded = mtaSource.decode(body, {
      source: 'mta',
      options: { version: 3, defaultCountry: '1' },
      headers: {},
    });
    const whole = decodeMta(body, {
      source: 'mta',
      version: 3,
      defaultCountry: '1',
      id: 'ID',
      receivedAt: 'T',
    });
    if (decoded._tag === 'Left' || whole._tag === 'Left') throw new Error('the sample does not decode');
    const { id, source, receivedAt, type, occurredAt, tags, payload, decodeNotes, ...fields } = whole.right;
    expect(decoded.right).to.deep.equal({ type, occurredAt, fields, tags, payload });
  });

  for (const version of [1, 2, 3] as const) {
    for (const type of EVENT_TYPES) {
      it(`has a sample ${type} event for V${version}`, () => {
        const event = sampleEvent(type, version, { id: 'ID', receivedAt: '2026-01-15T10:00:00.000Z' });
        expect(event).to.include({
          id: 'ID',
          source: 'mta',
          type,
          version,
          receivedAt: '2026-01-15T10:00:00.000Z',
        });
        expect(event.phone).to.equal('+15555550123');
        expect(event.phoneNational).to.equal('5555550123');
        if (version === 3) expect(event.occurredAt).to.be.a('string');
        if (type === 'delivery-status')
          expect(event.status).to.deep.equal({ code: 6, name: 'DELIVERY_FAILED', failed: true, final: true });
        if (type === 'message-reply' || type === 'message-send') expect(event.text).to.be.a('string');
        if (type === 'number-opt-in') expect(event.optInType).to.be.a('string');
      });
    }
  }

  it('gives a fresh id and the current time by default, and takes the source name', () => {
    const before = Date.now();
    const event = sampleEvent('message-reply', 3, { source: 'mta-eu' });
    expect(event.id).to.match(/^[0-9A-Z]{26}$/);
    expect(Date.parse(event.receivedAt)).to.be.within(before, Date.now());
    expect(event.source).to.equal('mta-eu');
  });

  it('hands out independent events', () => {
    const a = sampleEvent('delivery-status', 3);
    a.tags.campaign = 'changed';
    expect(sampleEvent('delivery-status', 3).tags.campaign).to.equal('sample');
  });
});
