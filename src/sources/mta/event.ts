import type { GatewayEvent, UNRECOGNIZED } from '../../event.ts';

/** MTA's four kinds of event, in the registration spelling MTA uses (docs.mobile-text-alerts.com, Webhooks). */
export const EVENT_TYPES = ['delivery-status', 'message-reply', 'message-send', 'number-opt-in'] as const;

/** One of MTA's four event kinds. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Every type an MTA source's event can have: a decoded kind, or `unrecognized`. */
export type AnyEventType = EventType | typeof UNRECOGNIZED;

/** A delivery status with the gateway's own classification (see status.ts). */
export interface EventStatus {
  code: number;
  name: string;
  failed: boolean;
  final: boolean;
}

/**
 * An event from an MTA source: the envelope plus the fields the MTA source declares, at the top level where
 * every template and HTTP receiver has always found them (contract §3).
 */
export interface MtaEvent extends GatewayEvent {
  version: 1 | 2 | 3;
  /** E.164 when known. */
  phone?: string;
  phoneNational?: string;
  /** The number as given when it is not a possible phone number (then there is no `phone`). */
  phoneRaw?: string;
  messageId?: number;
  externalId?: string;
  status?: EventStatus;
  text?: string;
  mediaUrls?: string[];
  optInType?: string;
  senderName?: string;
}
