import * as t from 'io-ts';
import { statusOf } from '../../status.ts';
import type { EventFields, MappingContext } from '../event-fields.ts';
import { optional, Text, WholeNumber } from '../fields.ts';
import { fromNational, NationalPhone } from '../phones.ts';
import { Tags, tagsOf } from '../tags.ts';

/**
 * delivery-status, V1 — documented field table. (`type` is resolved by event-type.ts before a codec is
 * chosen, so no codec lists it; unknown extra fields are not checked and stay in the event's payload.)
 */
export const codec = t.type(
  {
    destinationNumber: NationalPhone,
    messageId: WholeNumber,
    externalId: Text,
    status: WholeNumber,
    tags: optional(Tags),
    senderName: optional(Text),
  },
  'delivery-status V1',
);

/** The decoded body. */
export type Body = t.TypeOf<typeof codec>;

/** The event fields this body gives. */
export function toEvent(body: Body, ctx: MappingContext): EventFields {
  return {
    ...fromNational(body.destinationNumber, ctx.defaultCountry),
    messageId: body.messageId,
    externalId: body.externalId,
    status: statusOf(body.status),
    senderName: body.senderName ?? undefined,
    tags: tagsOf(body.tags),
  };
}
