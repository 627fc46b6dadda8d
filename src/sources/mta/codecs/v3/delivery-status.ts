import * as t from 'io-ts';
import { statusOf } from '../../status.ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { E164Phone, fromE164 } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';
import { IsoTimestamp } from '../timestamp.ts';

/** delivery-status, V3 — provisional: V2 plus `timestamp`, `carrier?` and `errorMessage?`. */
export const codec = t.type(
  {
    destinationNumber: E164Phone,
    messageId: WholeNumber,
    externalId: Text,
    status: WholeNumber,
    tags: optional(Tags),
    senderName: optional(Text),
    /** Checked, kept in payload only (the event has no field for it). */
    carrier: optional(Text),
    /** Checked, kept in payload only (the event has no field for it). */
    errorMessage: optional(Text),
    timestamp: IsoTimestamp,
  },
  'delivery-status V3',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    occurredAt: body.timestamp,
    ...fromE164(body.destinationNumber, ctx.defaultCountry),
    messageId: body.messageId,
    externalId: body.externalId,
    status: statusOf(body.status),
    senderName: body.senderName ?? undefined,
    tags: tagsOf(body.tags),
  };
}
