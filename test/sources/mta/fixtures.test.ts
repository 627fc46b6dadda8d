import { expect } from 'chai';
import type { GatewayEvent } from '../../../src/event.ts';
import { decoded, fixture } from './helpers.ts';

// Every expected event is written out by hand from the fixture files, not derived from the decoder.
const BASE = {
  id: '01JDTEST000000000000000000',
  source: 'mta',
  receivedAt: '2026-11-28T14:30:00.000Z',
} as const;

/** Checks every field of the event (the payload by identity: it is the parsed body itself). */
function expectEvent(event: GatewayEvent, body: unknown, expected: Omit<GatewayEvent, 'payload'>) {
  expect(event.payload).to.equal(body);
  const { payload: _payload, ...rest } = event;
  expect(rest).to.deep.equal(expected);
}

describe('mta fixtures decode into normalized events', () => {
  describe('V1 (national numbers)', () => {
    it('decodes delivery-status: status 6 is DELIVERY_FAILED, null senderName is absent', () => {
      const body = fixture(1, 'delivery-status');
      const event = decoded(body, { version: 1 });
      expect(Object.hasOwn(event, 'senderName')).to.equal(false);
      expectEvent(event, body, {
        ...BASE,
        type: 'delivery-status',
        version: 1,
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012345,
        externalId: 'order-20261128-0042',
        status: { code: 6, name: 'DELIVERY_FAILED', failed: true, final: true },
        tags: { campaign: 'spring-sale', store: 'chicago-3' },
      });
    });

    it('decodes message-reply with its message as text', () => {
      const body = fixture(1, 'message-reply');
      expectEvent(decoded(body, { version: 1 }), body, {
        ...BASE,
        type: 'message-reply',
        version: 1,
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012345,
        externalId: 'order-20261128-0042',
        text: 'Can I move my pickup to Friday?',
        tags: { campaign: 'spring-sale' },
      });
    });

    it('decodes message-send', () => {
      const body = fixture(1, 'message-send');
      expectEvent(decoded(body, { version: 1 }), body, {
        ...BASE,
        type: 'message-send',
        version: 1,
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012345,
        externalId: 'order-20261128-0042',
        text: 'Your order 42 is ready for pickup.',
        tags: { campaign: 'spring-sale' },
      });
    });

    it('decodes number-opt-in with empty tags', () => {
      const body = fixture(1, 'number-opt-in');
      expectEvent(decoded(body, { version: 1 }), body, {
        ...BASE,
        type: 'number-opt-in',
        version: 1,
        phone: '+13125550143',
        phoneNational: '3125550143',
        optInType: 'sms',
        tags: {},
      });
    });

    it('uses the configured default country for national numbers', () => {
      const event = decoded(fixture(1, 'number-opt-in'), { version: 1, defaultCountry: '44' });
      expect(event.phone).to.equal('+443125550143');
      expect(event.phoneNational).to.equal('3125550143');
    });
  });

  describe('V2 (E.164 numbers, enum spellings of type)', () => {
    it('decodes delivery-status typed DELIVERY_STATUS: status 4 is DELIVERED', () => {
      const body = fixture(2, 'delivery-status');
      expectEvent(decoded(body, { version: 2 }), body, {
        ...BASE,
        type: 'delivery-status',
        version: 2,
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012346,
        externalId: 'order-20261128-0043',
        status: { code: 4, name: 'DELIVERED', failed: false, final: true },
        tags: { campaign: 'spring-sale' },
      });
    });

    it('decodes message-reply whose optional fields are all null', () => {
      const body = fixture(2, 'message-reply');
      expectEvent(decoded(body, { version: 2 }), body, {
        ...BASE,
        type: 'message-reply',
        version: 2,
        phone: '+13125550143',
        phoneNational: '3125550143',
        text: 'STOP',
        tags: {},
      });
    });

    it('decodes message-send typed MESSAGE_SEND with empty tags and null externalId', () => {
      const body = fixture(2, 'message-send');
      expectEvent(decoded(body, { version: 2 }), body, {
        ...BASE,
        type: 'message-send',
        version: 2,
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012346,
        text: 'Your order 43 is ready for pickup.',
        tags: {},
      });
    });

    it('decodes number-opt-in typed NUMBER_OPT_IN', () => {
      const body = fixture(2, 'number-opt-in');
      expectEvent(decoded(body, { version: 2 }), body, {
        ...BASE,
        type: 'number-opt-in',
        version: 2,
        phone: '+13125550143',
        phoneNational: '3125550143',
        optInType: 'email',
        tags: {},
      });
    });
  });

  describe('V3 (adds timestamp)', () => {
    it('decodes delivery-status: status 9 is UNDELIVERED, carrier and errorMessage stay in payload', () => {
      const body = fixture(3, 'delivery-status');
      const event = decoded(body, { version: 3 });
      expectEvent(event, body, {
        ...BASE,
        type: 'delivery-status',
        version: 3,
        occurredAt: '2026-11-28T14:03:11.512Z',
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012347,
        externalId: 'order-20261128-0044',
        status: { code: 9, name: 'UNDELIVERED', failed: true, final: true },
        senderName: 'Acme Pharmacy',
        tags: { campaign: 'spring-sale', tier: 'vip' },
      });
      expect(event.payload).to.include({ carrier: 'Verizon Wireless', errorMessage: 'Handset unreachable' });
    });

    it('decodes message-reply with media URLs and the text untouched', () => {
      const body = fixture(3, 'message-reply');
      expectEvent(decoded(body, { version: 3 }), body, {
        ...BASE,
        type: 'message-reply',
        version: 3,
        occurredAt: '2026-11-28T14:05:40.001Z',
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012347,
        externalId: 'order-20261128-0044',
        text: 'Here is a photo of the damaged box 📦 <!channel> & thanks',
        mediaUrls: ['https://media.example.com/mms/5510072/1.jpg'],
        tags: { campaign: 'spring-sale', tier: 'vip' },
      });
    });

    it('decodes message-send', () => {
      const body = fixture(3, 'message-send');
      expectEvent(decoded(body, { version: 3 }), body, {
        ...BASE,
        type: 'message-send',
        version: 3,
        occurredAt: '2026-11-28T14:02:59.000Z',
        phone: '+13125550143',
        phoneNational: '3125550143',
        messageId: 880012347,
        externalId: 'order-20261128-0044',
        text: 'Your order 44 is ready for pickup.',
        senderName: 'Acme Pharmacy',
        tags: { campaign: 'spring-sale', tier: 'vip' },
      });
    });

    it('decodes number-opt-in of a foreign number without a national form', () => {
      const body = fixture(3, 'number-opt-in');
      expectEvent(decoded(body, { version: 3 }), body, {
        ...BASE,
        type: 'number-opt-in',
        version: 3,
        occurredAt: '2026-11-28T14:10:00.000Z',
        phone: '+447700900123',
        optInType: 'rcs',
        senderName: 'Acme Pharmacy',
        tags: {},
      });
    });

    it('gives the national form of a foreign number when the default country is its own', () => {
      const event = decoded(fixture(3, 'number-opt-in'), { defaultCountry: '44' });
      expect(event.phone).to.equal('+447700900123');
      expect(event.phoneNational).to.equal('7700900123');
    });
  });
});
