/** Sample normalized events, one per type, for destination tests. */
import type { GatewayEvent } from '../../src/event.ts';

const base = {
  id: '01J9Z3Y4K5M6N7P8Q9R0S1T2V3',
  source: 'mta',
  version: 3 as const,
  receivedAt: '2024-05-01T12:00:00.000Z',
  phone: '+15551234567',
  phoneNational: '5551234567',
  tags: { campaign: 'spring', tier: 'vip' },
};

/** A failed delivery status. */
export function deliveryFailed(overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    ...base,
    type: 'delivery-status',
    messageId: 4242,
    status: { code: 10, name: 'DELIVERY_FAILED', failed: true, final: true },
    payload: { MessageId: 4242, Status: 10 },
    ...overrides,
  };
}

/** A subscriber's reply. */
export function reply(text: string, overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    ...base,
    type: 'message-reply',
    messageId: 4243,
    text,
    payload: { Message: text, PhoneNumber: '5551234567' },
    ...overrides,
  };
}

/** A number opting in. */
export function optIn(overrides: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    ...base,
    type: 'number-opt-in',
    optInType: 'keyword',
    payload: { OptInType: 'keyword' },
    ...overrides,
  };
}
