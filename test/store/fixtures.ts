import { createHash } from 'node:crypto';
import type { GatewayEvent } from '../../src/event.ts';
import { newId } from '../../src/ids.ts';
import type { EventType } from '../../src/sources/mta/event.ts';
import type { AttemptRecord, IngestRequest, Store } from '../../src/store/types.ts';

/** Options for a store under test: a fresh one, or a second instance over the same data as `shareWith`. */
export interface MakeStoreOptions {
  shareWith?: Store;
  maxRejected?: number;
}

/** Opens a migrated store: fresh and empty unless `shareWith` names an open one to share data with. */
export type MakeStore = (options?: MakeStoreOptions) => Promise<Store>;

/** What each scenario file gets: `open` tracks the stores it opens so the suite closes them after each test. */
export interface Harness {
  open: MakeStore;
}

/** The fake clock's origin; tests move time by passing `at(ms)`. */
export const T0 = Date.parse('2031-03-04T05:06:07.000Z');

/** The fake clock `ms` after T0. */
export function at(ms: number): Date {
  return new Date(T0 + ms);
}

/** Shapes of a test request. */
export interface RequestOptions {
  to?: string[];
  body?: string;
  windowMs?: number;
  type?: EventType;
  status?: string;
  source?: string;
}

let bodies = 0;

/** An ingest request as ingress would build it: a unique body unless `body` is given. */
export function request(now: Date, o: RequestOptions = {}): IngestRequest {
  const body = o.body ?? `{"n":${++bodies}}`;
  const to = o.to ?? ['crm'];
  const event: GatewayEvent = {
    id: newId(now.getTime()),
    source: o.source ?? 'mta',
    type: o.type ?? 'message-reply',
    version: 3,
    receivedAt: now.toISOString(),
    phone: '+15555550100',
    text: 'hello "world" \u00e9\u{1F600}',
    tags: { campaign: 'spring' },
    payload: { body, z: 1, a: [1, { b: null }] },
    ...(o.status ? { status: { code: 5, name: o.status, failed: true, final: true } } : {}),
  };
  return {
    event,
    bodyHash: createHash('sha256').update(body).digest('hex'),
    dedupeWindowMs: o.windowMs ?? 0,
    routes: [{ name: 'main', matched: to.length > 0, reason: to.length > 0 ? 'matched' : 'type differs' }],
    deliveries: to.map((destination) => ({ destination, route: 'main' })),
  };
}

/** Ingests one request; answers its result with the request. */
export async function ingestOne(store: Store, now: Date, o: RequestOptions = {}) {
  const req = request(now, o);
  const [result] = await store.ingest({ batch: [req], now });
  return { ...result, req };
}

/** An attempt record started at `now`. */
export function attempt(
  number: number,
  outcome: AttemptRecord['outcome'],
  now: Date,
  reason?: string,
): AttemptRecord {
  return {
    number,
    startedAt: now,
    durationMs: 12,
    outcome,
    ...(reason === undefined ? {} : { reason, statusCode: 503 }),
  };
}

/** The ids of every delivery matching a destination, oldest first. */
export async function deliveryIds(store: Store, destination: string): Promise<string[]> {
  const page = await store.listDeliveries({ filter: { destination }, limit: 1000 });
  return page.items.map((d) => d.id).reverse();
}
