import { type Either, isLeft, left, map, mapLeft } from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { DecodedEvent, DecodeFailure } from '../api.ts';
import { envelope } from '../envelope.ts';
import type { EventType, MtaEvent } from './event.ts';
import { bodyEventType, urlEventType } from './event-type.ts';
import { type EventFields, readFields } from './fields/read.ts';
import { MTA_FIELDS } from './fields/table.ts';
import { report } from './report.ts';

/** What decoding needs besides the body: the source's settings and what ingress assigned. */
export interface DecodeOptions {
  /** The source's name in config. */
  source: string;
  /** The payload version this source's MTA account sends (the body cannot tell). */
  version: 1 | 2 | 3;
  /** Country calling code for numbers without `+`, e.g. '1'. */
  defaultCountry: string;
  /** The event segment of `/webhooks/<source>/<event>`, when the URL has one. */
  urlEvent?: string;
  id: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
}

/**
 * Decodes an MTA webhook body (already parsed from JSON) into what the MTA source declares (its type, fields,
 * tags and notes), or says why not, naming every bad field. Never throws for any JSON value; an unsupported `version` is a caller bug and throws.
 */
export function decodeMtaBody(
  body: unknown,
  opts: Pick<DecodeOptions, 'version' | 'defaultCountry' | 'urlEvent'>,
): Either<DecodeFailure, DecodedEvent> {
  if (![1, 2, 3].includes(opts.version))
    throw new Error(`MTA payload version ${opts.version} does not exist (1, 2 or 3)`);
  const fromUrl = urlEventType(opts.urlEvent); // first: an unknown event is a 404 whatever the body holds
  if (isLeft(fromUrl)) return fromUrl;
  if (!isJsonObject(body)) return left({ status: 400, error: 'payload must be a JSON object', details: [] });
  const type = bodyEventType(Object.hasOwn(body, 'type') ? body.type : undefined, fromUrl.right);
  if (isLeft(type)) return type;
  return pipe(
    readFields(body, MTA_FIELDS[type.right], { version: opts.version, defaultCountry: opts.defaultCountry }),
    mapLeft(
      (errors): DecodeFailure => ({
        status: 400,
        error: `invalid ${type.right} payload (MTA V${opts.version})`,
        details: report(errors),
      }),
    ),
    map((fields) => toDecoded(type.right, fields, body, opts.version)),
  );
}

/**
 * Decodes an MTA webhook body into a complete normalized event (the envelope included), or says why not:
 * what tests, samples and the CLI use where no ingress assigns the envelope.
 */
export function decodeMta(body: unknown, opts: DecodeOptions): Either<DecodeFailure, MtaEvent> {
  return map((decoded: DecodedEvent) => envelope(decoded, { ...opts, body }) as MtaEvent)(
    decodeMtaBody(body, opts),
  );
}

function toDecoded(
  type: EventType,
  fields: EventFields,
  payload: Record<string, unknown>,
  version: 1 | 2 | 3,
): DecodedEvent {
  // Optional fields that MTA left out or sent as null are absent on the event, not present as undefined.
  // A loop over the keys: the rest-spread and entries/filter/fromEntries it replaces were half of this call.
  const { occurredAt, tags, decodeNotes } = fields;
  const given: Record<string, unknown> = { version };
  for (const key of Object.keys(fields) as Array<keyof EventFields>) {
    const value = fields[key];
    if (value !== undefined && !NOT_FIELDS.has(key)) given[key] = value;
  }
  const decoded: DecodedEvent = { type, fields: given, tags, payload };
  if (occurredAt !== undefined) decoded.occurredAt = occurredAt;
  if (decodeNotes !== undefined) decoded.decodeNotes = decodeNotes;
  return decoded;
}

/** What readFields gives besides the event's fields: the envelope's time, the tags and the notes. */
const NOT_FIELDS: ReadonlySet<string> = new Set(['occurredAt', 'tags', 'decodeNotes']);

function isJsonObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
