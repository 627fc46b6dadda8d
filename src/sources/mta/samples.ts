import { isLeft } from 'fp-ts/lib/Either.js';
import { newId } from '../../ids.ts';
import { decodeMta } from './decode.ts';
import type { EventType, MtaEvent } from './event.ts';

/** Realistic bodies of every event type in every payload version, for `switchboard test-destination`. */
export const SAMPLE_BODIES: Readonly<Record<1 | 2 | 3, Readonly<Record<EventType, Readonly<object>>>>> = {
  1: {
    'delivery-status': {
      destinationNumber: '5555550123',
      messageId: 900000001,
      externalId: 'sample-order-1001',
      status: 6,
      tags: { campaign: 'sample', tier: 'vip' },
      senderName: null,
      type: 'delivery-status',
    },
    'message-reply': {
      fromNumber: '5555550123',
      message: 'Yes, Friday works for me.',
      messageId: 900000001,
      externalId: 'sample-order-1001',
      tags: { campaign: 'sample' },
      type: 'message-reply',
    },
    'message-send': {
      destinationNumber: '5555550123',
      messageId: 900000001,
      message: 'Your sample order 1001 is ready for pickup.',
      externalId: 'sample-order-1001',
      tags: { campaign: 'sample' },
      type: 'message-send',
    },
    'number-opt-in': { number: '5555550123', optInType: 'sms', type: 'number-opt-in' },
  },
  2: {
    'delivery-status': {
      destinationNumber: '+15555550123',
      messageId: 900000002,
      externalId: 'sample-order-1002',
      status: 6,
      tags: { campaign: 'sample', tier: 'vip' },
      type: 'delivery-status',
    },
    'message-reply': {
      fromNumber: '+15555550123',
      toNumber: '+18885550100',
      replyId: 7700002,
      message: 'Yes, Friday works for me.',
      messageId: 900000002,
      externalId: 'sample-order-1002',
      tags: { campaign: 'sample' },
      type: 'message-reply',
    },
    'message-send': {
      destinationNumber: '+15555550123',
      messageId: 900000002,
      message: 'Your sample order 1002 is ready for pickup.',
      externalId: 'sample-order-1002',
      tags: { campaign: 'sample' },
      senderName: 'Switchboard Sample',
      type: 'message-send',
    },
    'number-opt-in': {
      number: '+15555550123',
      optInType: 'imessage',
      senderName: 'Switchboard Sample',
      type: 'number-opt-in',
    },
  },
  3: {
    'delivery-status': {
      destinationNumber: '+15555550123',
      messageId: 900000003,
      externalId: 'sample-order-1003',
      status: 6,
      tags: { campaign: 'sample', tier: 'vip' },
      senderName: 'Switchboard Sample',
      carrier: 'Sample Wireless',
      errorMessage: 'Handset unreachable',
      timestamp: '2026-01-15T09:30:00.000Z',
      type: 'delivery-status',
    },
    'message-reply': {
      fromNumber: '+15555550123',
      toNumber: '+18885550100',
      replyId: 7700003,
      message: 'Yes, Friday works for me. Photo attached.',
      messageId: 900000003,
      externalId: 'sample-order-1003',
      tags: { campaign: 'sample', tier: 'vip' },
      mediaUrls: ['https://media.example.com/sample/7700003/1.jpg'],
      senderName: null,
      timestamp: '2026-01-15T09:32:10.000Z',
      type: 'message-reply',
    },
    'message-send': {
      destinationNumber: '+15555550123',
      messageId: 900000003,
      message: 'Your sample order 1003 is ready for pickup.',
      externalId: 'sample-order-1003',
      tags: { campaign: 'sample', tier: 'vip' },
      senderName: 'Switchboard Sample',
      channel: 'sms',
      timestamp: '2026-01-15T09:29:58.000Z',
      type: 'message-send',
    },
    'number-opt-in': {
      number: '+15555550123',
      optInType: 'rcs',
      senderName: 'Switchboard Sample',
      timestamp: '2026-01-15T09:00:00.000Z',
      type: 'number-opt-in',
    },
  },
};

/** Overrides for a sample event; by default a fresh id, the current time and source `mta` in country 1. */
export interface SampleOptions {
  source?: string;
  defaultCountry?: string;
  id?: string;
  receivedAt?: string;
}

/** A realistic normalized event of one type and version, decoded from its embedded sample body. */
export function sampleEvent(type: EventType, version: 1 | 2 | 3, opts: SampleOptions = {}): MtaEvent {
  const body = SAMPLE_BODIES[version]?.[type];
  if (body === undefined) throw new Error(`no sample for event ${JSON.stringify(type)} in MTA V${version}`);
  const receivedAt = opts.receivedAt ?? new Date().toISOString();
  const decoded = decodeMta(structuredClone(body), {
    source: opts.source ?? 'mta',
    version,
    defaultCountry: opts.defaultCountry ?? '1',
    id: opts.id ?? newId(Date.parse(receivedAt)),
    receivedAt,
  });
  // The samples are ours: one that fails to decode is a bug, not bad input.
  if (isLeft(decoded))
    throw new Error(`sample ${type} V${version} does not decode: ${JSON.stringify(decoded.left)}`);
  return decoded.right;
}
