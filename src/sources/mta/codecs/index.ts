import { type Either, map } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EventType } from '../../../event.ts';
import type { EventFields, MappingContext } from './event-fields.ts';
import * as deliveryStatusV1 from './v1/delivery-status.ts';
import * as messageReplyV1 from './v1/message-reply.ts';
import * as messageSendV1 from './v1/message-send.ts';
import * as numberOptInV1 from './v1/number-opt-in.ts';
import * as deliveryStatusV2 from './v2/delivery-status.ts';
import * as messageReplyV2 from './v2/message-reply.ts';
import * as messageSendV2 from './v2/message-send.ts';
import * as numberOptInV2 from './v2/number-opt-in.ts';
import * as deliveryStatusV3 from './v3/delivery-status.ts';
import * as messageReplyV3 from './v3/message-reply.ts';
import * as messageSendV3 from './v3/message-send.ts';
import * as numberOptInV3 from './v3/number-opt-in.ts';

export type { EventFields, MappingContext } from './event-fields.ts';

/** Decodes one kind of body into event fields, gathering every io-ts error. */
export type PayloadDecoder = (body: unknown, ctx: MappingContext) => Either<t.Errors, EventFields>;

/** What each codec module exports: its body codec and the mapping from the decoded body to event fields. */
interface PayloadModule<A> {
  codec: t.Decoder<unknown, A>;
  toEvent(body: A, ctx: MappingContext): EventFields;
}

function decoder<A>(m: PayloadModule<A>): PayloadDecoder {
  return (body, ctx) => map((decoded: A) => m.toEvent(decoded, ctx))(m.codec.decode(body));
}

/** The twelve payload decoders, by payload version and event type. */
export const PAYLOADS: Readonly<Record<1 | 2 | 3, Readonly<Record<EventType, PayloadDecoder>>>> = {
  1: {
    'delivery-status': decoder(deliveryStatusV1),
    'message-reply': decoder(messageReplyV1),
    'message-send': decoder(messageSendV1),
    'number-opt-in': decoder(numberOptInV1),
  },
  2: {
    'delivery-status': decoder(deliveryStatusV2),
    'message-reply': decoder(messageReplyV2),
    'message-send': decoder(messageSendV2),
    'number-opt-in': decoder(numberOptInV2),
  },
  3: {
    'delivery-status': decoder(deliveryStatusV3),
    'message-reply': decoder(messageReplyV3),
    'message-send': decoder(messageSendV3),
    'number-opt-in': decoder(numberOptInV3),
  },
};
