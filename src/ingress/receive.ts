import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Clock } from '../clock.ts';
import type { Config, SourceConfig } from '../config/types.ts';
import type { AnyEventType, DecodeNote, GatewayEvent } from '../event.ts';
import { newId } from '../ids.ts';
import { decodeForSource } from '../sources/decode.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/types.ts';
import { parseJsonBody } from './json.ts';
import { quoted } from './labels.ts';
import { type Undecodable, unrecognizedEvent } from './quarantine.ts';
import { verifyAny } from './signature.ts';

/** Why a webhook was not accepted, as a metrics label. */
export type RejectReason =
  | 'unknown_source'
  | 'content_type'
  | 'size'
  | 'signature'
  | 'json'
  | 'decode'
  | 'type'
  | 'store';

/** The answer to one webhook. */
export type ReceiveOutcome =
  | {
      status: 200;
      body: { id: string; duplicate: boolean };
      type: AnyEventType;
      destinations: string[];
      unrouted: boolean;
      /** The coercions and aliases decoding used (for the decode-notes metric). */
      notes?: DecodeNote[];
      /** Which of the source's secrets the signature matched (0: the first, the newest); absent when unsigned. */
      secretIndex?: number;
    }
  | {
      status: 400 | 401 | 404 | 413 | 415 | 503;
      body: { error: string; details?: Array<{ path: string; message: string }> };
      reason: RejectReason;
      /** For 503: the store error behind it, for the log line only (never sent: it may name internal hosts). */
      cause?: unknown;
    };

/** One webhook request as the pipeline sees it (transport details already read by the HTTP layer). */
export interface WebhookRequest {
  source: string;
  urlEvent?: string;
  /** The body, decompressed when it came with a Content-Encoding. */
  raw: Buffer;
  /** The bytes as received, when they differ from `raw` (a Content-Encoding was removed). */
  received?: Buffer;
  signature?: string;
  /** Set only when re-submitting a rejected payload whose signature was verified when it first arrived. */
  preverified?: boolean;
}

/** What the pipeline needs. */
export interface ReceiveDeps {
  config(): Config;
  committer: GroupCommitter;
  store: Store;
  clock: Clock;
}

/** A refusal: the status, the reason for metrics, and the JSON answer (with every bad field when known). */
export function reject(
  status: 400 | 401 | 404 | 413 | 415 | 503,
  reason: RejectReason,
  error: string,
  details?: Array<{ path: string; message: string }>,
): ReceiveOutcome {
  return { status, reason, body: details ? { error, details } : { error } };
}

/** The 503 for a store failure: the sender retries; the cause is kept for the log line only. */
export function storeUnavailable(cause: unknown): ReceiveOutcome {
  const outcome = reject(503, 'store', 'the event store is unavailable; retry later');
  return outcome.status === 200 ? outcome : { ...outcome, cause };
}

/** Looks up a source by name, or the 404 answer. */
export function findSource(config: Config, name: string): SourceConfig | ReceiveOutcome {
  const source = config.sources.get(name);
  if (source) return source;
  const known = [...config.sources.keys()].join(', ') || 'none';
  return reject(404, 'unknown_source', `unknown source "${quoted(name)}" (configured: ${known})`);
}

/**
 * Whether the body is proven to come from the sender: its X-Signature matches (over the raw bytes, before any
 * parsing), or it was verified when it first arrived. Unsigned bodies pass only where allowUnsigned says so.
 * Gives the refusal, or which secret matched (none for an unsigned or re-submitted body).
 */
function authenticate(
  req: WebhookRequest,
  source: SourceConfig,
): { refused?: ReceiveOutcome; secretIndex?: number } {
  if (req.preverified === true) return {};
  const secrets = source.secrets ?? (source.secret ? [source.secret] : []);
  if (req.signature !== undefined && req.signature !== '' && secrets.length > 0) {
    // A compressed body may have been signed before or after compression: the bytes on the wire first.
    let secretIndex = verifyAny(secrets, req.received ?? req.raw, req.signature);
    if (secretIndex < 0 && req.received !== undefined)
      secretIndex = verifyAny(secrets, req.raw, req.signature);
    return secretIndex >= 0
      ? { secretIndex }
      : {
          refused: reject(401, 'signature', 'X-Signature does not match the body (check the source secret)'),
        };
  }
  return source.allowUnsigned ? {} : { refused: reject(401, 'signature', 'missing X-Signature header') };
}

/**
 * The ingress pipeline after the transport: verify the signature over the raw bytes, parse, decode, route,
 * and commit the event with its deliveries before answering. An authentic body that cannot be decoded is
 * answered 200 and kept as an `unrecognized` event (or, with `onUndecodable: reject`, answered 400 and kept in
 * the rejected-payload log), so nothing authentic is lost. Unauthenticated bodies get their 4xx.
 */
export async function receive(req: WebhookRequest, deps: ReceiveDeps): Promise<ReceiveOutcome> {
  const config = deps.config();
  const found = findSource(config, req.source);
  if ('status' in found) return found;
  const source = found;

  const { refused, secretIndex } = authenticate(req, source);
  if (refused) return refused;

  const now = deps.clock.now();
  const receivedAt = new Date(now).toISOString();
  const id = newId(now);
  const undecodable = async (
    why: Undecodable,
    payload: unknown,
    status: 400 | 404,
  ): Promise<ReceiveOutcome> => {
    const reason = status === 404 ? 'type' : payload === undefined ? 'json' : 'decode';
    // A 404 is about the URL, not the body: the sender posted to an event that does not exist. A body that
    // passed authentication (signed, or on a source that allows unsigned bodies) is kept, never refused.
    if (status === 404) return reject(status, reason, why.error, why.details);
    if (source.onUndecodable === 'accept') {
      const { raw, urlEvent } = req;
      const event = unrecognizedEvent({ id, source, receivedAt, raw, payload, urlEvent, why });
      return commit(event, req, source, deps, secretIndex);
    }
    await deps.store.addRejected({
      payload: {
        source: source.name,
        urlEvent: req.urlEvent ?? null,
        receivedAt,
        body: req.raw.toString('utf8'),
        errors: [{ path: '', message: why.error }, ...why.details],
      },
      now: new Date(now),
    });
    return reject(status, reason, why.error, why.details);
  };

  const parsed = parseJsonBody(req.raw);
  if (!parsed.ok) return undecodable(parsed.error, undefined, 400);

  const decoded = decodeForSource(source, parsed.value, { urlEvent: req.urlEvent, id, receivedAt });
  if (isLeft(decoded)) return undecodable(decoded.left, parsed.value, decoded.left.status);
  return commit(decoded.right, req, source, deps, secretIndex);
}

/** Routes an event and commits it with its deliveries; the 200 answer only after the commit is durable. */
async function commit(
  event: GatewayEvent,
  req: WebhookRequest,
  source: SourceConfig,
  deps: ReceiveDeps,
  secretIndex: number | undefined,
): Promise<ReceiveOutcome> {
  const decision = deps.config().router.route(event);
  let result: { id: string; duplicate: boolean };
  try {
    result = await deps.committer.submit({
      event,
      bodyHash: createHash('sha256').update(req.raw).digest('hex'),
      dedupeWindowMs: source.dedupeWindowMs,
      routes: decision.routes,
      deliveries: decision.destinations,
    });
  } catch (err) {
    return storeUnavailable(err);
  }
  return {
    status: 200,
    body: result,
    type: event.type,
    destinations: result.duplicate ? [] : decision.destinations.map((d) => d.destination),
    unrouted: decision.unrouted,
    ...(event.decodeNotes === undefined || result.duplicate ? {} : { notes: event.decodeNotes }),
    ...(secretIndex === undefined ? {} : { secretIndex }),
  };
}
