import { expect } from 'chai';
import { decoded, fixture, rejected } from './helpers.ts';

// What the tolerant reader still refuses: values whose meaning is not clear. What it accepts with a note is in
// tolerant.test.ts (unit) and test/ingress/tolerant.test.ts (through the HTTP server).
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
      externalId: { id: 12 },
      status: 'x',
      senderName: false,
      carrier: ['Verizon'],
    };
    const error = rejected(body);
    expect(error.status).to.equal(400);
    expect(error.error).to.equal('invalid delivery-status payload (MTA V3)');
    expect(error.details).to.deep.equal([
      { path: 'messageId', message: 'expected a whole number, got the string "abc"' },
      { path: 'externalId', message: 'expected a string, got an object' },
      { path: 'status', message: 'expected a status code (1-14) or name, got the string "x"' },
      { path: 'senderName', message: 'expected a string, got false' },
      { path: 'carrier', message: 'expected a string, got an array of 1 item' },
    ]);
  });

  it('names a missing required field of the documented V1 delivery status', () => {
    const { status: _status, ...body } = fixture(1, 'delivery-status');
    expect(rejected(body, { version: 1 }).details).to.deep.equal([
      { path: 'status', message: 'is required' },
    ]);
  });

  it('names a documented required field sent as null', () => {
    const body = { ...fixture(1, 'delivery-status'), messageId: null };
    expect(rejected(body, { version: 1 }).details).to.deep.equal([
      { path: 'messageId', message: 'must not be null (MTA documents it as always present)' },
    ]);
  });

  it('requires no reconstructed field: an empty typed body decodes to an event with only its type', () => {
    const event = decoded({ type: 'number-opt-in' });
    expect(event.type).to.equal('number-opt-in');
    expect(event).to.not.have.any.keys('phone', 'optInType', 'occurredAt', 'decodeNotes');
  });

  it('rejects a status or id with a fraction', () => {
    const body = { ...fixture(2, 'delivery-status'), status: 4.5, messageId: 1.25 };
    expect(rejected(body, { version: 2 }).details).to.deep.equal([
      { path: 'messageId', message: 'expected a whole number, got 1.25' },
      { path: 'status', message: 'expected a status code (1-14) or name, got 4.5' },
    ]);
  });

  // JSON.parse reads 9007199254740993 as 9007199254740992, and "got 9007199254740992" named a whole number.
  it('says a whole number beyond 2^53 - 1 is too large to read exactly, as a number or a string of digits', () => {
    const body = { ...fixture(3, 'delivery-status'), messageId: JSON.parse('9007199254740993') };
    const tooLarge = 'expected a whole number within ±9007199254740991, got one too large to read exactly';
    expect(rejected(body).details).to.deep.equal([
      { path: 'messageId', message: `${tooLarge} (9007199254740992)` },
    ]);
    const text = { ...body, messageId: '12345678901234567890' };
    expect(rejected(text).details).to.deep.equal([
      { path: 'messageId', message: `${tooLarge} (the string "12345678901234567890")` },
    ]);
    expect(rejected({ ...body, messageId: Number.POSITIVE_INFINITY }).details).to.deep.equal([
      { path: 'messageId', message: `${tooLarge} (Infinity)` },
    ]);
  });

  // An externalId, a reply or a tag sent as the JSON number 12345678901234567891 arrives from JSON.parse as
  // 12345678901234567000: read as text, it was an id MTA never sent, with nothing to say so.
  it('refuses a number where text was expected that is too large to read exactly, naming each field', () => {
    const body = JSON.parse(
      '{"type":"message-send","externalId":12345678901234567891,"message":1e400,"senderName":-9007199254740993,' +
        '"tags":{"order":98765432109876543210,"safe":9007199254740991,"small":0.25}}',
    );
    const tooLarge =
      'expected a string, or a number within ±9007199254740991, got one too large to read exactly';
    expect(rejected(body).details).to.deep.equal([
      { path: 'message', message: `${tooLarge} (Infinity)` },
      { path: 'externalId', message: `${tooLarge} (12345678901234567000)` },
      { path: 'tags.order', message: `${tooLarge} (98765432109876540000)` },
      { path: 'senderName', message: `${tooLarge} (-9007199254740992)` },
    ]);
    const { externalId: _e, message: _m, senderName: _s, ...rest } = body;
    const event = decoded({ ...rest, tags: { safe: 9007199254740991, small: 0.25 } });
    expect(event.tags).to.deep.equal({ safe: '9007199254740991', small: '0.25' });
  });

  it('reads a string of 16 digits that is a safe whole number, as it reads the same JSON number', () => {
    const event = decoded({ ...fixture(3, 'delivery-status'), messageId: '9007199254740991' });
    expect(event.messageId).to.equal(9007199254740991);
  });

  // MTA documents messageId as a "number" (mta-webhooks.md) and nothing about replyId; positive is our fixtures'
  // habit, not a documented rule. Refusing 0 or -1 (a plausible "no message" in a reply) would turn authentic
  // bodies into `unrecognized` events, out of their type's routes, and protect nothing: only a signed body
  // decodes at all.
  it('keeps a zero or negative id as sent (documented only as a number)', () => {
    for (const messageId of [0, -5, '-5']) {
      const event = decoded({ ...fixture(3, 'delivery-status'), messageId });
      expect(event.messageId).to.equal(Number(messageId));
    }
    const reply = decoded({ ...fixture(3, 'message-reply'), replyId: -1, messageId: 0 });
    expect(reply.messageId).to.equal(0);
    expect((reply.payload as { replyId: number }).replyId).to.equal(-1);
  });

  it('rejects a phone number that is neither a string nor a number', () => {
    const details = rejected({
      ...fixture(3, 'message-reply'),
      fromNumber: { e164: '+13125550143' },
    }).details;
    expect(details).to.deep.equal([
      { path: 'fromNumber', message: 'expected a phone number string, got an object' },
    ]);
  });

  describe('timestamps', () => {
    for (const timestamp of ['yesterday', '2026-11-28T25:00:00Z', '2026-02-30T10:00:00Z', '28/11/2026', '']) {
      it(`rejects ${JSON.stringify(timestamp)}`, () => {
        expect(rejected({ ...fixture(3, 'message-send'), timestamp }).details).to.deep.equal([
          {
            path: 'timestamp',
            message: `expected an ISO 8601 time, got the string ${JSON.stringify(timestamp)}`,
          },
        ]);
      });
    }

    it('rejects a negative epoch time', () => {
      expect(rejected({ ...fixture(3, 'message-send'), timestamp: -5 }).details).to.deep.equal([
        { path: 'timestamp', message: 'expected a time, got -5' },
      ]);
    });

    it('normalizes an offset timestamp to UTC', () => {
      const event = decoded({ ...fixture(3, 'message-send'), timestamp: '2026-11-28T09:02:59-05:00' });
      expect(event.occurredAt).to.equal('2026-11-28T14:02:59.000Z');
      expect(event.decodeNotes).to.equal(undefined);
    });
  });

  describe('tags', () => {
    it('rejects tags that are an array', () => {
      expect(rejected({ ...fixture(3, 'message-send'), tags: [1] }).details).to.deep.equal([
        { path: 'tags', message: 'expected an object of tags, got an array of 1 item' },
      ]);
    });

    it('names every tag whose value is an object or an array', () => {
      const tags = { campaign: 1, store: 'chicago-3', nested: { a: 'b' }, list: ['x'] };
      expect(rejected({ ...fixture(3, 'message-send'), tags }).details).to.deep.equal([
        { path: 'tags.nested', message: 'expected a string, got an object' },
        { path: 'tags.list', message: 'expected a string, got an array of 1 item' },
      ]);
    });

    it('quotes a tag name that is not an identifier in the path', () => {
      expect(rejected({ ...fixture(3, 'message-send'), tags: { 'spring sale': {} } }).details).to.deep.equal([
        { path: 'tags["spring sale"]', message: 'expected a string, got an object' },
      ]);
    });

    it('reports bad tags together with other bad fields', () => {
      const body = {
        ...fixture(3, 'message-reply'),
        tags: { campaign: [] },
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

  it('rejects mediaUrls that is neither an array nor a string', () => {
    expect(rejected({ ...fixture(3, 'message-reply'), mediaUrls: { a: 1 } }).details).to.deep.equal([
      { path: 'mediaUrls', message: 'expected an array of URL strings, got an object' },
    ]);
  });
});
