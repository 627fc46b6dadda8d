import type { GatewayEvent } from '../../../event.ts';

/**
 * The part of a normalized event that comes from the body. Each payload codec maps its decoded body to these;
 * decode.ts adds id, source, type, version, receivedAt and payload, and drops fields that are undefined.
 */
export type EventFields = Pick<
  GatewayEvent,
  | 'occurredAt'
  | 'phone'
  | 'phoneNational'
  | 'messageId'
  | 'externalId'
  | 'status'
  | 'text'
  | 'mediaUrls'
  | 'optInType'
  | 'senderName'
  | 'tags'
>;

/** What a mapping needs from the source's config. */
export interface MappingContext {
  /** Country calling code for national numbers, e.g. '1'. */
  defaultCountry: string;
}
