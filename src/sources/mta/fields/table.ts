import type { EventType } from '../event.ts';
import type { PhoneFormat } from './phone.ts';

/**
 * MTA's payload fields, one definition per event, the per-version differences as data. Correcting or adding a
 * field is one line here. Sources: `shared/spec/mta-webhooks.md`. **Documented** fields come from MTA's public
 * field table (only delivery-status V1 has one); every other field is our reconstruction, marked `documented:
 * false`, and is optional in every version: an authentic body is never refused because it lacks one.
 *
 * Every field is read in every version (the per-version pattern is not confirmed anywhere); `since` only says
 * from which version the reconstruction expects it, for `shapes` and the docs.
 */

/** Which normalized event field a body field fills. */
export type EventField =
  | 'phone'
  | 'messageId'
  | 'externalId'
  | 'status'
  | 'text'
  | 'mediaUrls'
  | 'optInType'
  | 'senderName'
  | 'tags'
  | 'occurredAt';

/** How a field's value is read (see kinds.ts). */
export type FieldKind = 'text' | 'whole' | 'status' | 'time' | 'tags' | 'mediaUrls' | 'phone';

/** One body field. */
export interface FieldSpec {
  /** The name in MTA's body. */
  key: string;
  /** Other names for the same meaning that other integrators' code reads (each use is noted on the event). */
  aliases?: readonly string[];
  kind: FieldKind;
  /** The event field it fills; absent: checked, kept in `payload` only. */
  to?: EventField;
  /** From MTA's documentation (true) or our reconstruction (false). */
  documented: boolean;
  /** Versions in which MTA documents the field as always present. Only documented fields are ever required. */
  required?: readonly (1 | 2 | 3)[];
  /** The version the reconstruction expects it from (informational: it is read in every version). */
  since?: 2 | 3;
  /** For phones: the format each version is thought to use (the other one is accepted with a note). */
  format?: Readonly<Record<1 | 2 | 3, PhoneFormat>>;
}

/** V1 national digits, V2 and V3 E.164 (provisional pattern). */
const BY_VERSION: Readonly<Record<1 | 2 | 3, PhoneFormat>> = { 1: 'national', 2: 'e164', 3: 'e164' };

const TIMESTAMP: FieldSpec = {
  key: 'timestamp',
  aliases: ['date'],
  kind: 'time',
  to: 'occurredAt',
  documented: false,
  since: 3,
};

/** The field table of each MTA event type. */
export const MTA_FIELDS: Readonly<Record<EventType, readonly FieldSpec[]>> = {
  'delivery-status': [
    {
      key: 'destinationNumber',
      kind: 'phone',
      to: 'phone',
      documented: true,
      required: [1],
      format: BY_VERSION,
    },
    { key: 'messageId', kind: 'whole', to: 'messageId', documented: true, required: [1] },
    { key: 'externalId', kind: 'text', to: 'externalId', documented: true, required: [1] },
    { key: 'status', kind: 'status', to: 'status', documented: true, required: [1] },
    { key: 'tags', kind: 'tags', to: 'tags', documented: true },
    { key: 'senderName', kind: 'text', to: 'senderName', documented: true },
    TIMESTAMP,
    { key: 'carrier', kind: 'text', documented: false, since: 3 },
    { key: 'errorMessage', kind: 'text', documented: false, since: 3 },
  ],
  'message-reply': [
    {
      key: 'fromNumber',
      aliases: ['originationNumber'],
      kind: 'phone',
      to: 'phone',
      documented: false,
      format: BY_VERSION,
    },
    {
      key: 'toNumber',
      aliases: ['destinationNumber'],
      kind: 'phone',
      documented: false,
      since: 2,
      format: BY_VERSION,
    },
    { key: 'replyId', kind: 'whole', documented: false, since: 2 },
    { key: 'message', kind: 'text', to: 'text', documented: false },
    { key: 'messageId', kind: 'whole', to: 'messageId', documented: false },
    { key: 'externalId', kind: 'text', to: 'externalId', documented: false },
    { key: 'tags', kind: 'tags', to: 'tags', documented: false },
    { key: 'mediaUrls', aliases: ['url'], kind: 'mediaUrls', to: 'mediaUrls', documented: false, since: 3 },
    { key: 'senderName', kind: 'text', to: 'senderName', documented: false, since: 3 },
    TIMESTAMP,
  ],
  'message-send': [
    { key: 'destinationNumber', kind: 'phone', to: 'phone', documented: false, format: BY_VERSION },
    { key: 'messageId', kind: 'whole', to: 'messageId', documented: false },
    { key: 'message', kind: 'text', to: 'text', documented: false },
    { key: 'externalId', kind: 'text', to: 'externalId', documented: false },
    { key: 'tags', kind: 'tags', to: 'tags', documented: false },
    { key: 'senderName', kind: 'text', to: 'senderName', documented: false, since: 2 },
    { key: 'channel', kind: 'text', documented: false, since: 3 },
    TIMESTAMP,
  ],
  'number-opt-in': [
    { key: 'number', kind: 'phone', to: 'phone', documented: false, format: BY_VERSION },
    { key: 'optInType', kind: 'text', to: 'optInType', documented: false },
    { key: 'senderName', kind: 'text', to: 'senderName', documented: false, since: 2 },
    TIMESTAMP,
  ],
};
