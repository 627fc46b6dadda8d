import { createHash, hash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Clock } from '../clock.ts';
import type { Config, SourceConfig } from '../config/types.ts';
import type { DecodeNote, GatewayEvent } from '../event.ts';
import { newId } from '../ids.ts';
import { decodeForSource } from '../sources/decode.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/types.ts';
import { authenticate } from './authenticate.ts';
import { type FORM, parseBody } from './form.ts';
import { quoted } from './labels.ts';
import { keptBody, type Undecodable, unrecognizedEvent } from './quarantine.ts';

/** Why a webhook was not accepted, as a metrics label. */
export type RejectReason =
  | 'unknown_source'
  | 'content_type'
  | 'size'
  | 'signature'
  | 'json'
  | 'decode'
  | 'type'
  | 'store'
  /** The source plugin failed (threw, or answered no verdict) while authenticating. */
  | 'plugin';

/** The answer to one webhook. */
export type ReceiveOutcome =
  | {
      status: 200;
      body: { id: string; duplicate: boolean };
      type: string;
      destinations: string[];
      unrouted: boolean;
      /** The coercions and aliases decoding used (for the decode-notes metric). */
      notes?: DecodeNote[];
      /** Which of the source's secrets the signature matched (0: the first, the newest); absent when unsigned. */
      secretIndex?: number;
      /** Why the source plugin failed on this authentic body, kept as `unrecognized`: for the log line only. */
      detail?: string;
    }
  | {
      status: 400 | 401 | 404 | 413 | 415 | 500 | 503;
      body: { error: string; details?: Array<{ path: string; message: string }> };
      reason: RejectReason;
      /** For 503: the store error behind it, for the log line only (never sent: it may name internal hosts). */
      cause?: unknown;
      /** For an unknown source: the configured ones, for the log line only (never sent to a stranger). */
      configured?: string[];
      /** A source plugin's own reason for a refusal, secrets and digests taken out: for the log line only. */
      detail?: string;
    };

/** One webhook request as the pipeline sees it (transport details already read by the HTTP layer). */
export interface WebhookRequest {
  source: string;
  urlEvent?: string;
  /** The body, decompressed when it came with a Content-Encoding. */
  raw: Buffer;
  /** The bytes as received, when they differ from `raw` (a Content-Encoding was removed). */
  received?: Buffer;
  /** MTA's X-Signature (a shorthand for `headers['x-signature']`, as the CLI and older callers pass it). */
  signature?: string;
  /** Request headers, lowercase names (what source plugins authenticate and read their type from). */
  headers?: Readonly<Record<string, string | undefined>>;
  /** `application/x-www-form-urlencoded` for a form body (a source whose plugin takes forms); absent: JSON. */
  contentType?: typeof FORM;
  /**
   * Set only when re-submitting a rejected payload whose signature was verified when it first arrived. One that
   * still does not decode is not logged again: its record is in the rejected log already, and stays there.
   */
  preverified?: boolean;
  /**
   * Why the body could not be decompressed (a corrupt gzip, say); `raw` then holds the bytes as received. A
   * signature over those bytes still proves the body authentic, and it is kept like any undecodable body; one
   * that does not match them may have been computed over the decompressed bytes, which cannot be had, so the
   * answer is this 400, not a 401.
   */
  unreadable?: string;
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
  status: 400 | 401 | 404 | 413 | 415 | 500 | 503,
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

/**
 * Looks up a source by name, or the 404 answer. The answer is public, so it names no configured source (that
 * would tell anyone which providers the gateway takes); the log line does.
 */
export function findSource(config: Config, name: string): SourceConfig | ReceiveOutcome {
  const source = config.sources.get(name);
  if (source) return source;
  const outcome = reject(
    404,
    'unknown_source',
    `unknown source "${quoted(name)}": check the source name in the URL (/webhooks/<source>) against the gateway's config`,
  );
  return outcome.status === 200 ? outcome : { ...outcome, configured: [...config.sources.keys()] };
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

  const now = deps.clock.now();
  const headers =
    req.signature === undefined ? (req.headers ?? {}) : { ...req.headers, 'x-signature': req.signature };
  const verdict = authenticate(req, source, headers, now);
  if ('status' in verdict)
    return req.unreadable && verdict.status === 401 ? reject(400, 'json', req.unreadable) : verdict;
  const { idempotencyKey: dedupeOn, secretIndex } = verdict;

  const receivedAt = new Date(now).toISOString();
  const id = newId(now);
  const undecodable = async (
    why: Undecodable,
    payload: unknown,
    status: 400 | 404,
    fault?: string,
  ): Promise<ReceiveOutcome> => {
    const reason = status === 404 ? 'type' : payload === undefined ? 'json' : 'decode';
    // A 404 is about the URL, not the body: the sender posted to an event that does not exist. A body that
    // passed authentication (signed, or on a source that allows unsigned bodies) is kept, never refused.
    if (status === 404) return reject(status, reason, why.error, why.details);
    if (source.onUndecodable === 'accept') {
      const { raw, urlEvent, contentType } = req;
      const event = unrecognizedEvent({ id, source, receivedAt, raw, payload, urlEvent, contentType, why });
      const kept = await commit(event, req, source, deps, { dedupeOn, secretIndex });
      return fault === undefined || kept.status !== 200 ? kept : { ...kept, detail: fault };
    }
    // A resubmission's record is in the log already: another would be a copy with a new time, every retry.
    if (req.preverified === true) return reject(status, reason, why.error, why.details);
    await deps.store.addRejected({
      payload: {
        source: source.name,
        urlEvent: req.urlEvent ?? null,
        receivedAt,
        ...keptBody(req.raw),
        errors: [{ path: '', message: why.error }, ...why.details],
      },
      now: new Date(now),
    });
    return reject(status, reason, why.error, why.details);
  };

  if (req.unreadable) return undecodable({ error: req.unreadable, details: [] }, undefined, 400);
  const parsed = parseBody(req.raw, req.contentType);
  if (!parsed.ok) return undecodable(parsed.error, undefined, 400);

  const { urlEvent, contentType } = req;
  const decoded = decodeForSource(source, parsed.value, { urlEvent, id, receivedAt, headers, contentType });
  if (isLeft(decoded)) {
    const { left } = decoded;
    return undecodable(left, parsed.value, left.status, left.fault ? left.error : undefined);
  }
  return commit(decoded.right, req, source, deps, { dedupeOn, secretIndex });
}

/**
 * The hash (SHA-256, hex) that makes a webhook a duplicate within its source's dedupe window: the provider's own
 * idempotency key when it sends one (a replayed webhook-id is a duplicate even with a fresh timestamp and
 * signature); else the body's bytes with the event type decoded from the request. The same bytes as two types
 * are two events, not a retry of one: MTA registers one URL per event type and a body need not name its type,
 * and a source may read the type from a header (X-GitHub-Event). Typed, not by the URL's text, so
 * `/delivery-status` and `/DELIVERY_STATUS` (one event type) are one event.
 */
function dedupeHash(type: string, raw: Buffer, idempotencyKey: string | undefined): string {
  if (idempotencyKey !== undefined) return hash('sha256', `id\0${idempotencyKey}`, 'hex');
  return createHash('sha256').update(`type\0${type}\0`).update(raw).digest('hex');
}

/** Routes an event and commits it with its deliveries; the 200 answer only after the commit is durable. */
async function commit(
  event: GatewayEvent,
  req: WebhookRequest,
  source: SourceConfig,
  deps: ReceiveDeps,
  auth: { dedupeOn?: string; secretIndex?: number },
): Promise<ReceiveOutcome> {
  const { dedupeOn: idempotencyKey, secretIndex } = auth;
  const decision = deps.config().router.route(event);
  let result: { id: string; duplicate: boolean };
  try {
    result = await deps.committer.submit({
      event,
      bodyHash: dedupeHash(event.type, req.raw, idempotencyKey),
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
