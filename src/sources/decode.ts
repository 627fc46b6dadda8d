import { type Either, map } from 'fp-ts/lib/Either.js';
import type { SourceConfig } from '../config/types.ts';
import type { GatewayEvent } from '../event.ts';
import { pluginTextRedactor } from '../observability/redact.ts';
import type { DecodedEvent, DecodeFailure } from './api.ts';
import { BUILTIN_SOURCES } from './builtin.ts';
import { envelope } from './envelope.ts';
import { isoUtc } from './mta/timestamp.ts';

export type { DecodeFailure } from './api.ts';

/** A decode failure that is the plugin's fault (it threw, or answered no decode result), not the body's. */
export type PluginDecodeFailure = DecodeFailure & { fault?: true };

/**
 * Decodes a parsed body for a configured source into the normalized event, through the source's plugin.
 * A plugin that throws, or answers something that is not a decode result (`undefined`, a Promise, a Right
 * without a string type or with values JSON cannot hold, a Left without status 400/404 and an error), has a bug: the body is answered as
 * undecodable (status 400, `fault: true`, the error naming the plugin), so the authentic bytes are kept as an
 * `unrecognized` event and can be decoded again once the plugin is fixed. Never throws.
 */
export function decodeForSource(
  source: SourceConfig,
  body: unknown,
  meta: {
    urlEvent?: string;
    id: string;
    receivedAt: string;
    headers?: Record<string, string | undefined>;
    /** Set when the body was a form (the plugin declared it takes one). */
    contentType?: 'application/x-www-form-urlencoded';
  },
): Either<PluginDecodeFailure, GatewayEvent> {
  // The built-ins answer plain JSON in ISO times and never quote a secret: what follows is for a user's plugin.
  const builtin = BUILTIN_SOURCES.get(source.kind) === source.plugin;
  const decoded = decodeWith(source, body, meta, builtin);
  return builtin ? decoded : fromUserPlugin(decoded, source.secrets);
}

/**
 * A user plugin's answer as it may be stored: its `occurredAt` in ISO UTC, and its words (errors, details,
 * notes), which are stored with the event and reach the log, the CLI, the admin API and every destination,
 * without the source's secrets in any encoding (as its refusals).
 */
function fromUserPlugin(
  decoded: Either<PluginDecodeFailure, GatewayEvent>,
  secrets: readonly string[],
): Either<PluginDecodeFailure, GatewayEvent> {
  const redact = (text: string) => (secrets.length === 0 ? text : pluginTextRedactor(secrets).redact(text));
  if (decoded._tag === 'Left') {
    const { error, details } = decoded.left;
    const clean = details.map((d) => ({ path: redact(d.path), message: redact(d.message) }));
    return { _tag: 'Left', left: { ...decoded.left, error: redact(error), details: clean } };
  }
  const event = withIsoTime(decoded.right);
  const notes = event.decodeNotes?.map((n) => ({ ...n, message: redact(n.message) }));
  return { _tag: 'Right', right: notes === undefined ? event : { ...event, decodeNotes: notes } };
}

/**
 * A plugin's `occurredAt` as ISO 8601 UTC (contract: every time is), or left out with a decode note when it is
 * no date-time (`yesterday` was stored and delivered as it was). Read as the MTA source reads its times
 * (isoUtc): `Date.parse` rolled 2026-02-30 over to March, read a time without a zone in the machine's zone,
 * and let 9999-12-31T23:59:59-05:00 through as "+010000-…". The built-ins normalize their own.
 */
function withIsoTime(event: GatewayEvent): GatewayEvent {
  if (event.occurredAt === undefined) return event;
  const iso = isoUtc(event.occurredAt);
  if (iso !== undefined) return { ...event, occurredAt: iso };
  const { occurredAt: _, ...rest } = event;
  const note = { path: 'occurredAt', kind: 'not-a-time', message: 'not an ISO 8601 date-time: left out' };
  return { ...rest, decodeNotes: [...(event.decodeNotes ?? []), note] };
}

/** The plugin's decode, its answer checked; `builtin` skips the walk for JSON-only values (theirs are). */
function decodeWith(
  source: SourceConfig,
  body: unknown,
  meta: Parameters<typeof decodeForSource>[2],
  builtin: boolean,
): Either<PluginDecodeFailure, GatewayEvent> {
  const fault = (what: string): Either<PluginDecodeFailure, GatewayEvent> => ({
    _tag: 'Left',
    left: { status: 400, error: `the ${source.kind} source plugin ${what}`, details: [], fault: true },
  });
  let decoded: unknown;
  try {
    // A user plugin decodes a copy: one that changes what it is given (`body.at = new Date(body.at)`, a BigInt, a
    // reference back to the body) changed the payload kept by default, and the unrecognized event's too, which
    // then could not be stored: every such webhook was a 503, for ever. The payload stays the body as sent.
    decoded = source.plugin.decode(builtin ? body : structuredClone(body), {
      source: source.name,
      options: source.options,
      ...(meta.urlEvent === undefined ? {} : { urlEvent: meta.urlEvent }),
      ...(meta.contentType === undefined ? {} : { contentType: meta.contentType }),
      headers: meta.headers ?? {},
    });
  } catch (err) {
    return fault(`failed while decoding: ${errorText(err)}`);
  }
  const wrong = wrongShape(decoded);
  if (wrong !== undefined) return fault(`answered no decode result: ${wrong}`);
  const result = decoded as Either<DecodeFailure, DecodedEvent>;
  if (result._tag === 'Right' && result.right.type.length > MAX_TYPE_CHARS) {
    return {
      _tag: 'Left',
      left: {
        status: 400,
        error: `the event type is ${result.right.type.length} characters long; at most ${MAX_TYPE_CHARS} are taken`,
        details: [{ path: 'type', message: `longer than ${MAX_TYPE_CHARS} characters` }],
      },
    };
  }
  if (result._tag === 'Right' && !builtin) {
    const unstorable = notJson(result.right, body);
    if (unstorable !== undefined)
      return fault(`answered an event that cannot be stored as JSON: ${unstorable}`);
  }
  try {
    return map((d: DecodedEvent) =>
      envelope(d, { id: meta.id, source: source.name, receivedAt: meta.receivedAt, body }),
    )(result);
  } catch (err) {
    return fault(`answered an event that could not be read: ${errorText(err)}`);
  }
}

/** A thrown value's message, whatever was thrown (`throw null` too). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return 'a value that cannot be printed';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with a plugin's answer to `decode`, or undefined when it is an `Either<DecodeFailure,
 * DecodedEvent>`. A Promise is wrong (decode answers at once); its rejection is caught, so it is not left
 * unhandled.
 */
function wrongShape(x: unknown): string | undefined {
  if (isRecord(x) && typeof x.then === 'function') {
    (x as unknown as Promise<unknown>).then(undefined, () => {});
    return 'a Promise (decode must answer synchronously)';
  }
  if (!isRecord(x)) return `${x === null ? 'null' : typeof x} instead of { _tag: 'Left' | 'Right', ... }`;
  if (x._tag === 'Left') {
    const l = x.left;
    if (!isRecord(l) || (l.status !== 400 && l.status !== 404) || typeof l.error !== 'string')
      return 'a Left that is not { status: 400 | 404, error: string, details }';
    if (!Array.isArray(l.details) || !l.details.every(isProblem))
      return 'a Left whose details are not [{ path: string, message: string }]';
    return undefined;
  }
  if (x._tag !== 'Right') return "neither { _tag: 'Left' } nor { _tag: 'Right' }";
  const r = x.right;
  if (!isRecord(r)) return 'a Right with no event';
  if (typeof r.type !== 'string' || r.type === '') return 'a Right whose type is not a non-empty string';
  if (r.occurredAt !== undefined && typeof r.occurredAt !== 'string') return 'occurredAt is not a string';
  if (r.fields !== undefined && !isRecord(r.fields)) return 'fields is not an object';
  if (
    r.tags !== undefined &&
    !(isRecord(r.tags) && Object.values(r.tags).every((v) => typeof v === 'string'))
  )
    return 'tags is not an object of strings';
  if (r.decodeNotes !== undefined && !Array.isArray(r.decodeNotes)) return 'decodeNotes is not an array';
  return undefined;
}

/**
 * Why what a plugin decoded is not plain JSON data (a BigInt, a function, a cycle, a class instance), or
 * undefined. The store would throw on it (or drop it) inside a group commit, failing every webhook committed
 * with it, and the sender's retries for ever. The payload is checked only when the plugin replaced the parsed
 * body (which is JSON by construction).
 */
function notJson(d: DecodedEvent, body: unknown): string | undefined {
  try {
    return (
      jsonProblem(d.fields, 'fields', new Set()) ??
      jsonProblem(d.tags, 'tags', new Set()) ??
      jsonProblem(d.decodeNotes, 'decodeNotes', new Set()) ??
      (d.payload !== body ? jsonProblem(d.payload, 'payload', new Set()) : undefined)
    );
  } catch (err) {
    return `payload: ${errorText(err)}`; // nested deeper than the stack allows
  }
}

/** Where `v` (at `path`) holds something other than null, booleans, finite numbers, strings, arrays, objects. */
function jsonProblem(v: unknown, path: string, seen: Set<object>): string | undefined {
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v}`;
  if (typeof v !== 'object') return `${path} is a ${typeof v}`;
  if (seen.has(v)) return `${path} refers back to itself`;
  const proto = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null)
    return `${path} is a ${proto?.constructor?.name ?? 'class instance'}, not a plain object`;
  seen.add(v);
  for (const [k, item] of Object.entries(v)) {
    const problem = jsonProblem(item, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, seen);
    if (problem !== undefined) return problem;
  }
  seen.delete(v);
  return undefined;
}

const isProblem = (p: unknown) => isRecord(p) && typeof p.path === 'string' && typeof p.message === 'string';

/**
 * The longest event type taken, in UTF-16 code units. A generic source reads its type from the body or a
 * header, so it is whatever the sender wrote; real types are short (Stripe's longest is under 60). Types are
 * indexed, and PostgreSQL refuses an index entry over 2,704 bytes: a longer type failed the whole group commit
 * its webhook was in. 256 units are at most 768 bytes of UTF-8. A body with a longer type is undecodable, so it
 * is kept as an `unrecognized` event (or refused, with onUndecodable: reject) like any other.
 */
export const MAX_TYPE_CHARS = 256;
