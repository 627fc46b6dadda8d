import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/Either';
import type { Clock } from '../clock.ts';
import type { Config, SourceConfig } from '../config/types.ts';
import type { EventType } from '../event.ts';
import { newId } from '../ids.ts';
import { decodeForSource } from '../sources/decode.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/types.ts';
import { parseJsonBody } from './json.ts';
import { quoted } from './labels.ts';
import { verify } from './signature.ts';

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
      type: EventType;
      destinations: string[];
      unrouted: boolean;
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
  raw: Buffer;
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
 */
function authenticate(req: WebhookRequest, source: SourceConfig): { authentic: boolean } | ReceiveOutcome {
  if (req.preverified === true) return { authentic: true };
  if (req.signature !== undefined && req.signature !== '' && source.secret) {
    return verify(source.secret, req.raw, req.signature)
      ? { authentic: true }
      : reject(401, 'signature', 'X-Signature does not match the body (check the source secret)');
  }
  return source.allowUnsigned ? { authentic: false } : reject(401, 'signature', 'missing X-Signature header');
}

/**
 * The ingress pipeline after the transport: verify the signature over the raw bytes, parse, decode, route,
 * and commit the event with its deliveries before answering. A signature-valid body that cannot be decoded is
 * kept in the rejected-payload log so nothing authentic is lost.
 */
export async function receive(req: WebhookRequest, deps: ReceiveDeps): Promise<ReceiveOutcome> {
  const config = deps.config();
  const found = findSource(config, req.source);
  if ('status' in found) return found;
  const source = found;

  const checked = authenticate(req, source);
  if ('status' in checked) return checked;
  const { authentic } = checked;

  const now = deps.clock.now();
  const receivedAt = new Date(now).toISOString();
  const keepRejected = async (error: string, details: Array<{ path: string; message: string }>) => {
    if (!authentic) return;
    await deps.store.addRejected(
      {
        source: source.name,
        urlEvent: req.urlEvent ?? null,
        receivedAt,
        body: req.raw.toString('utf8'),
        errors: [{ path: '', message: error }, ...details],
      },
      new Date(now),
    );
  };

  const parsed = parseJsonBody(req.raw);
  if (!parsed.ok) {
    await keepRejected(parsed.error.error, parsed.error.details);
    return reject(400, 'json', parsed.error.error, parsed.error.details);
  }

  const id = newId(now);
  const decoded = decodeForSource(source, parsed.value, { urlEvent: req.urlEvent, id, receivedAt });
  if (isLeft(decoded)) {
    const { status, error, details } = decoded.left;
    if (status === 400) await keepRejected(error, details);
    return reject(status, status === 404 ? 'type' : 'decode', error, details);
  }
  const event = decoded.right;
  const decision = config.router.route(event);
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
  };
}
