import { expect } from 'chai';
import { decoded, fixture, rejected } from './helpers.ts';

describe('mta decoding rejects bad input, naming every bad field', () => {
  describe('a body that is not a JSON object', () => {
    for (const body of [[], [fixture(3, 'message-send')], null, 'delivery-status', 42, true]) {
      it(`answers 400 for ${JSON.stringify(body).slice(0, 30)}`, () => {
        expect(rejected(body)).to.deep.equal({
          status: 400,
          error: 'payload must be a JSON object',
          details: [],
        });
      });
    }
  });

  it('names every field with a wrong type at once', () => {
    const body = {
      ...fixture(3, 'delivery-status'),
      messageId: 'abc',
      externalId: 12,
      status: 'x',
      senderName: false,
      carrier: ['Verizon'],
    };
    const error = rejected(body);
    expect(error.status).to.equal(400);
    expect(error.error).to.equal('invalid delivery-status payload (MTA V3)');
    expect(error.details).to.deep.equal([
      { path: 'messageId', message: 'expected a number, got the string "abc"' },
      { path: 'externalId', message: 'expected a string, got 12' },
      { path: 'status', message: 'expected a number, got the string "x"' },
      { path: 'senderName', message: 'expected a string, got false' },
      { path: 'carrier', message: 'expected a string, got an array of 1 item' },
    ]);
  });

  it('names a missing required field', () => {
    const { status: _status, ...body } = fixture(1, 'delivery-status');
    expect(rejected(body, { version: 1 }).details).to.deep.equal([
      { path: 'status', message: 'is required' },
    ]);
  });

  it('names every missing field of an empty typed body', () => {
    expect(rejected({ type: 'number-opt-in' }).details).to.deep.equal([
      { path: 'number', message: 'is required' },
      { path: 'optInType', message: 'is required' },
      { path: 'timestamp', message: 'is required' },
    ]);
  });

  it('rejects a status or id with a fraction', () => {
    const body = { ...fixture(2, 'delivery-status'), status: 4.5, messageId: 1.25 };
    expect(rejected(body, { version: 2 }).details).to.deep.equal([
      { path: 'messageId', message: 'expected a whole number, got 1.25' },
      { path: 'status', message: 'expected a whole number, got 4.5' },
    ]);
  });

  describe('phone formats', () => {
    it('rejects an E.164 number where V1 expects national digits', () => {
      const body = { ...fixture(1, 'message-send'), destinationNumber: '+13125550143' };
      expect(rejected(body, { version: 1 }).details).to.deep.equal([
        {
          path: 'destinationNumber',
          message: 'expected a national phone number (digits only), got the string "+13125550143"',
        },
      ]);
    });

    it('rejects a national number where V2 expects E.164', () => {
      const body = { ...fixture(2, 'number-opt-in'), number: '3125550143' };
      expect(rejected(body, { version: 2 }).details).to.deep.equal([
        {
          path: 'number',
          message: 'expected an E.164 phone number ("+" and 1 to 15 digits), got the string "3125550143"',
        },
      ]);
    });

    const badE164 = ['+', '+1234567890123456', '+1 312 555 0143', '13125550143', '+1-312-555-0143', ''];
    for (const number of badE164) {
      it(`rejects the E.164 number ${JSON.stringify(number)}`, () => {
        const details = rejected({ ...fixture(3, 'message-reply'), fromNumber: number }).details;
        expect(details.map((d) => d.path)).to.deep.equal(['fromNumber']);
      });
    }

    it('checks toNumber of a reply too', () => {
      const details = rejected({ ...fixture(3, 'message-reply'), toNumber: '8885550100' }).details;
      expect(details.map((d) => d.path)).to.deep.equal(['toNumber']);
    });

    it('rejects a national number with punctuation', () => {
      const details = rejected(
        { ...fixture(1, 'number-opt-in'), number: '312-555-0143' },
        { version: 1 },
      ).details;
      expect(details.map((d) => d.path)).to.deep.equal(['number']);
    });
  });

  describe('timestamps', () => {
    for (const timestamp of ['yesterday', '2026-11-28T25:00:00Z', '2026-02-30T10:00:00Z', '28/11/2026', '']) {
      it(`rejects ${JSON.stringify(timestamp)}`, () => {
        expect(rejected({ ...fixture(3, 'message-send'), timestamp }).details).to.deep.equal([
          {
            path: 'timestamp',
            message: `expected an ISO 8601 timestamp, got the string ${JSON.stringify(timestamp)}`,
          },
        ]);
      });
    }

    it('rejects a number of milliseconds', () => {
      expect(rejected({ ...fixture(3, 'message-send'), timestamp: 1795874591512 }).details).to.deep.equal([
        { path: 'timestamp', message: 'expected an ISO 8601 timestamp, got 1795874591512' },
      ]);
    });

    it('normalizes an offset timestamp to UTC', () => {
      const event = decoded({ ...fixture(3, 'message-send'), timestamp: '2026-11-28T09:02:59-05:00' });
      expect(event.occurredAt).to.equal('2026-11-28T14:02:59.000Z');
    });
  });

  describe('tags', () => {
    it('rejects tags that are an array', () => {
      expect(rejected({ ...fixture(3, 'message-send'), tags: [1] }).details).to.deep.equal([
        { path: 'tags', message: 'expected an object of string tags, got an array of 1 item' },
      ]);
    });

    it('names every tag whose value is not a string', () => {
      const tags = { campaign: 1, store: 'chicago-3', tier: null, nested: { a: 'b' } };
      expect(rejected({ ...fixture(3, 'message-send'), tags }).details).to.deep.equal([
        { path: 'tags.campaign', message: 'expected a string, got 1' },
        { path: 'tags.tier', message: 'expected a string, got null' },
        { path: 'tags.nested', message: 'expected a string, got an object' },
      ]);
    });

    it('quotes a tag name that is not an identifier in the path', () => {
      expect(
        rejected({ ...fixture(3, 'message-send'), tags: { 'spring sale': true } }).details,
      ).to.deep.equal([{ path: 'tags["spring sale"]', message: 'expected a string, got true' }]);
    });

    it('reports bad tags together with other bad fields', () => {
      const body = {
        ...fixture(3, 'message-reply'),
        tags: { campaign: 1 },
        mediaUrls: ['ok', 2],
        replyId: 'r',
      };
      expect(rejected(body).details.map((d) => d.path)).to.deep.equal([
        'replyId',
        'tags.campaign',
        'mediaUrls[1]',
      ]);
    });
  });

  it('rejects mediaUrls that is not an array', () => {
    expect(rejected({ ...fixture(3, 'message-reply'), mediaUrls: 'https://x' }).details).to.deep.equal([
      { path: 'mediaUrls', message: 'expected an array of strings, got the string "https://x"' },
    ]);
  });
});
