import { expect } from 'chai';
import { decoded, fixture, rejected } from './helpers.ts';

describe('mta tags and payload', () => {
  it('keeps unknown extra fields in the payload, untouched', () => {
    const body = { ...fixture(3, 'delivery-status'), segments: 2, provider: { name: 'x', region: ['us'] } };
    const event = decoded(body);
    expect(event.payload).to.equal(body);
    expect(event.payload).to.deep.include({ segments: 2, provider: { name: 'x', region: ['us'] } });
  });

  it('keeps an unknown tag field on an opt-in in the payload without making event tags of it', () => {
    const body = { ...fixture(3, 'number-opt-in'), tags: { campaign: 'x' } };
    const event = decoded(body);
    expect(event.tags).to.deep.equal({});
    expect(event.payload).to.equal(body);
  });

  it('gives {} for null or absent tags', () => {
    const { tags: _tags, ...withoutTags } = fixture(3, 'message-send');
    expect(decoded(withoutTags).tags).to.deep.equal({});
    expect(decoded({ ...withoutTags, tags: null }).tags).to.deep.equal({});
  });

  // PHP's json_encode writes an empty array as [], not {}: a send with no tags, from a PHP sender, has
  // "tags": []. That was "expected an object of tags, got an empty array", and the body became `unrecognized`.
  it('gives {} for tags that are an empty array, with a note', () => {
    const event = decoded({ ...fixture(3, 'delivery-status'), tags: [] });
    expect(event.tags).to.deep.equal({});
    expect(event.status?.name).to.equal('UNDELIVERED');
    expect(event.decodeNotes).to.deep.equal([
      { path: 'tags', kind: 'empty-tags-array', message: 'an empty array read as no tags' },
    ]);
  });

  it('does not share the tags object with the payload', () => {
    const body = fixture(3, 'message-send');
    const event = decoded(body);
    event.tags.extra = 'y';
    expect(body.tags).to.deep.equal({ campaign: 'spring-sale', tier: 'vip' });
  });

  it('survives deep nesting and huge values in unknown fields', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    const huge = 'x'.repeat(5_000_000);
    const body = { ...fixture(3, 'message-reply'), deep, huge, list: new Array(100_000).fill(deep) };
    const event = decoded(body);
    expect(event.payload).to.equal(body);
  });

  it('describes a deeply nested value in a known field without walking it', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(rejected({ ...fixture(3, 'message-reply'), message: deep }).details).to.deep.equal([
      { path: 'message', message: 'expected a string, got an array of 1 item' },
    ]);
  });

  describe('__proto__ and constructor keys (parsed with JSON.parse, which makes them own keys)', () => {
    afterEach(() => {
      // Belt and braces: a failing test must not leave Object.prototype polluted for the rest of the suite.
      delete (Object.prototype as Record<string, unknown>).polluted;
    });

    it('rejects a __proto__ tag whose value is an object, and nothing is polluted', () => {
      const body = JSON.parse(
        '{"destinationNumber":"+13125550143","messageId":1,"message":"m","timestamp":"2026-11-28T14:00:00Z",' +
          '"type":"message-send","tags":{"__proto__":{"polluted":"x"}}}',
      );
      expect(rejected(body).details).to.deep.equal([
        { path: 'tags.__proto__', message: 'expected a string, got an object' },
      ]);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('keeps string __proto__ and constructor tags as plain own tags', () => {
      const body = JSON.parse(
        '{"destinationNumber":"+13125550143","messageId":1,"message":"m","timestamp":"2026-11-28T14:00:00Z",' +
          '"type":"message-send","tags":{"__proto__":"x","constructor":"y","campaign":"c"}}',
      );
      const { tags } = decoded(body);
      expect(Object.keys(tags)).to.deep.equal(['__proto__', 'constructor', 'campaign']);
      expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).to.equal('x');
      expect(tags.constructor).to.equal('y');
      expect(Object.getPrototypeOf(tags)).to.equal(Object.prototype);
      expect(JSON.parse(JSON.stringify(tags))).to.deep.equal(
        JSON.parse('{"__proto__":"x","constructor":"y","campaign":"c"}'),
      );
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(typeof {}.constructor).to.equal('function');
    });

    it('ignores a top-level __proto__ key: it cannot stand in for a field, and stays in the payload', () => {
      const body = JSON.parse(
        '{"destinationNumber":"+13125550143","messageId":1,"message":"m","timestamp":"2026-11-28T14:00:00Z",' +
          '"type":"message-send","tags":{"a":"b"},"__proto__":{"senderName":5,"externalId":6,"polluted":"x"}}',
      );
      const event = decoded(body);
      expect(event.senderName).to.equal(undefined);
      expect(event.externalId).to.equal(undefined);
      expect(event.payload).to.equal(body);
      expect(Object.hasOwn(body, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});
