import { type ClaimedRaw, type EventColumns, eventColumns } from '../rows.ts';
import type { AttemptRecord, CompleteArgs, IngestRequest, IngestResult } from '../types.ts';
import type { PreparedIngest } from './ingest.ts';

/**
 * The busiest calls between the main thread and the SQLite store thread (ingest, claim, completion), as they
 * cross: each batch as one flat array of strings, numbers and nulls, in a fixed order per item. A structured
 * clone of objects writes every property's name and rebuilds each object key by key on the other side (V8's
 * ValueDeserializer: map transitions looked up per property); of a flat array it copies the strings. During
 * ingest the objects' clone was 17% of the store thread's samples (perf, 16 connections). Measured alone, for
 * an ingest batch of 4 and its answers: 3.9 → 2.1 µs per request on the main thread, 4.9 → 2.6 µs on the
 * store thread. Each `pack` has its `unpack`; they run on the two sides of one process, so the order is the
 * only contract and both live here.
 */
export type Packed = Array<string | number | null>;

/** Packs an ingest batch: per request `id, source, type, receivedAt, event, routes, unrouted (0/1), bodyHash,
 * dedupeWindowMs, n`, then `destination, route` for each of its n deliveries. `now`: epoch ms. */
export function packIngest(batch: IngestRequest[], now: number): Packed {
  const packed: Packed = [];
  for (const r of batch) {
    const c = eventColumns(r.event, r.routes, r.deliveries.length, now);
    packed.push(c.id, c.source, c.type, c.receivedAt, c.event, c.routes, c.unrouted ? 1 : 0);
    packed.push(r.bodyHash, r.dedupeWindowMs, r.deliveries.length);
    for (const d of r.deliveries) packed.push(d.destination, d.route);
  }
  return packed;
}

/** The batch packIngest packed, as ingestPrepared takes it. */
export function unpackIngest(packed: Packed): PreparedIngest[] {
  const read = reader(packed);
  const batch: PreparedIngest[] = [];
  while (read.more()) {
    const columns: EventColumns = {
      id: read.text(),
      source: read.text(),
      type: read.text(),
      receivedAt: read.number(),
      event: read.text(),
      routes: read.text(),
      unrouted: read.number() === 1,
    };
    const bodyHash = read.text();
    const dedupeWindowMs = read.number();
    const deliveries = Array.from({ length: read.number() }, () => ({
      destination: read.text(),
      route: read.text(),
    }));
    batch.push({ columns, bodyHash, dedupeWindowMs, deliveries });
  }
  return batch;
}

/** Ingest answers: `id, duplicate (0/1)` per request. */
export function packIngestResults(results: IngestResult[]): Packed {
  return results.flatMap((r) => [r.id, r.duplicate ? 1 : 0]);
}

/** The answers packIngestResults packed. */
export function unpackIngestResults(packed: Packed): IngestResult[] {
  const read = reader(packed);
  const results: IngestResult[] = [];
  while (read.more()) results.push({ id: read.text(), duplicate: read.number() === 1 });
  return results;
}

/**
 * Claimed deliveries: per delivery `id, eventId, destination, route, attempts, attemptOffset, firstAttemptAt,
 * event` (the event as its stored JSON text; the absent optional ones as null).
 */
export function packClaimed(rows: ClaimedRaw[]): Packed {
  const packed: Packed = [];
  for (const r of rows) {
    packed.push(r.id, r.eventId, r.destination, r.route, r.attempts);
    packed.push(r.attemptOffset ?? null, r.firstAttemptAt ?? null, r.event);
  }
  return packed;
}

/** The deliveries packClaimed packed, as claimRaw answers them (absent optional fields left out). */
export function unpackClaimed(packed: Packed): ClaimedRaw[] {
  const read = reader(packed);
  const rows: ClaimedRaw[] = [];
  while (read.more()) {
    const row: ClaimedRaw = {
      id: read.text(),
      eventId: read.text(),
      destination: read.text(),
      route: read.text(),
      attempts: read.number(),
      event: '',
    };
    const attemptOffset = read.optionalNumber();
    const firstAttemptAt = read.optionalNumber();
    if (attemptOffset !== undefined) row.attemptOffset = attemptOffset;
    if (firstAttemptAt !== undefined) row.firstAttemptAt = firstAttemptAt;
    row.event = read.text();
    rows.push(row);
  }
  return rows;
}

/**
 * Completions: per completion `deliveryId, owner, number, startedAt, durationMs, outcome, reason, statusCode,
 * state, nextAt, now, n`, then the n fallback destinations. Times in epoch ms; `nextAt` null unless the state is
 * pending; `reason` and `statusCode` null when absent.
 */
export function packCompletions(batch: CompleteArgs[]): Packed {
  const packed: Packed = [];
  for (const c of batch) {
    const { attempt: a, next } = c;
    packed.push(c.deliveryId, c.owner, a.number, a.startedAt.getTime(), a.durationMs, a.outcome);
    packed.push(a.reason ?? null, a.statusCode ?? null, next.state);
    packed.push(next.state === 'pending' ? next.nextAt.getTime() : null, c.now.getTime());
    packed.push(c.fallback?.length ?? 0, ...(c.fallback ?? []));
  }
  return packed;
}

/** The completions packCompletions packed, as completeBatch takes them. */
export function unpackCompletions(packed: Packed): CompleteArgs[] {
  const read = reader(packed);
  const batch: CompleteArgs[] = [];
  while (read.more()) {
    const deliveryId = read.text();
    const owner = read.text();
    const attempt: AttemptRecord = {
      number: read.number(),
      startedAt: new Date(read.number()),
      durationMs: read.number(),
      outcome: read.text() as AttemptRecord['outcome'],
    };
    const reason = read.optionalText();
    const statusCode = read.optionalNumber();
    if (reason !== undefined) attempt.reason = reason;
    if (statusCode !== undefined) attempt.statusCode = statusCode;
    const state = read.text();
    const nextAt = read.optionalNumber();
    const next: CompleteArgs['next'] =
      state === 'pending'
        ? { state, nextAt: new Date(nextAt ?? Number.NaN) }
        : { state: state as 'delivered' | 'failed' | 'dead' };
    const now = new Date(read.number());
    const fallback = Array.from({ length: read.number() }, () => read.text());
    batch.push({ deliveryId, owner, attempt, next, now, fallback });
  }
  return batch;
}

/** Reads a Packed array in order. */
function reader(packed: Packed) {
  let i = 0;
  return {
    more: () => i < packed.length,
    text: () => packed[i++] as string,
    number: () => packed[i++] as number,
    optionalText: () => (packed[i++] as string | null) ?? undefined,
    optionalNumber: () => (packed[i++] as number | null) ?? undefined,
  };
}
