import { type Either, isLeft, left, map, mapLeft } from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EventType, GatewayEvent } from '../../event.ts';
import { bodyEventType, urlEventType } from './event-type.ts';
import { type EventFields, readFields } from './fields/read.ts';
import { MTA_FIELDS } from './fields/table.ts';
import type { DecodeError } from './problems.ts';
import { report } from './report.ts';

export type { DecodeError, Problem } from './problems.ts';

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
 * Decodes an MTA webhook body (already parsed from JSON) into a normalized event, or says why not, naming
 * every bad field. Never throws for any JSON value; an unsupported `version` is a caller bug and throws.
 */
export function decodeMta(body: unknown, opts: DecodeOptions): Either<DecodeError, GatewayEvent> {
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
      (errors): DecodeError => ({
        status: 400,
        error: `invalid ${type.right} payload (MTA V${opts.version})`,
        details: report(errors),
      }),
    ),
    map((fields) => toGatewayEvent(type.right, fields, body, opts)),
  );
}

function toGatewayEvent(
  type: EventType,
  fields: EventFields,
  payload: Record<string, unknown>,
  opts: DecodeOptions,
): GatewayEvent {
  // Optional fields that MTA left out or sent as null are absent on the event, not present as undefined.
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const { id, source, version, receivedAt } = opts;
  return { id, source, type, version, receivedAt, ...given, tags: fields.tags, payload };
}

function isJsonObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
