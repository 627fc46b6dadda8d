import { newId } from '../../ids.ts';
import { eventColumns } from '../rows.ts';
import type { IngestRequest, IngestResult } from '../types.ts';
import type { SqliteDb } from './db.ts';

// Insert the key, or take it over when it has expired; no row back means a live duplicate holds it.
const CLAIM_DEDUPE_KEY = `
  INSERT INTO dedupe (source, body_hash, event_id, expires_at) VALUES (@source, @bodyHash, @eventId, @expiresAt)
  ON CONFLICT (source, body_hash) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
    WHERE dedupe.expires_at <= @now
  RETURNING event_id`;

const ORIGINAL_EVENT = 'SELECT event_id FROM dedupe WHERE source = ? AND body_hash = ?';

const INSERT_EVENT = `
  INSERT INTO events (id, source, type, status_name, received_at, body_hash, event, routes, unrouted)
  VALUES (@id, @source, @type, @statusName, @receivedAt, @bodyHash, @event, @routes, @unrouted)`;

const INSERT_DELIVERY = `
  INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
  VALUES (@id, @eventId, @destination, @route, 'pending', 0, @now, @now, @now)`;

/** Commits a whole batch (events, deliveries, dedupe keys) in one IMMEDIATE transaction. */
export function ingestSqlite(db: SqliteDb, batch: IngestRequest[], now: Date): IngestResult[] {
  const t = now.getTime();
  return db.write(() => batch.map((request) => ingestOne(db, request, t)));
}

/** One request inside the batch's transaction: a duplicate answers the original id and inserts nothing. */
function ingestOne(db: SqliteDb, request: IngestRequest, now: number): IngestResult {
  const { event, bodyHash } = request;
  if (request.dedupeWindowMs > 0) {
    const won = db.stmt(CLAIM_DEDUPE_KEY).get({
      source: event.source,
      bodyHash,
      eventId: event.id,
      expiresAt: now + request.dedupeWindowMs,
      now,
    });
    if (won === undefined) {
      const original = db.stmt(ORIGINAL_EVENT).get(event.source, bodyHash) as { event_id: string };
      return { id: original.event_id, duplicate: true };
    }
  }
  const columns = eventColumns(event, request.routes, request.deliveries.length, now);
  db.stmt(INSERT_EVENT).run({ ...columns, bodyHash, unrouted: Number(columns.unrouted) });
  for (const { destination, route } of request.deliveries) {
    db.stmt(INSERT_DELIVERY).run({ id: newId(now), eventId: event.id, destination, route, now });
  }
  return { id: event.id, duplicate: false };
}
