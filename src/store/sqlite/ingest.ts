import { newId } from '../../ids.ts';
import { type EventColumns, eventColumns } from '../rows.ts';
import type { IngestOps, IngestRequest, IngestResult } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { INSERT_NEW_DELIVERY } from './new-deliveries.ts';
import { bodyKey, RecentBodies } from './recent-bodies.ts';

/**
 * One ingest request reduced to what SQLite writes: the event's columns (its JSON included), the dedupe key
 * and the deliveries. ThreadedSqliteStore prepares these on the main thread, because strings cross to the store
 * thread far more cheaply than the event object does (its structured clone was the largest single cost of
 * ingest on the main thread).
 */
export interface PreparedIngest {
  columns: EventColumns;
  bodyHash: string;
  dedupeWindowMs: number;
  deliveries: IngestRequest['deliveries'];
}

/** Prepares a batch for ingestSqlite (see PreparedIngest). */
export function prepareIngest(batch: IngestRequest[], now: Date): PreparedIngest[] {
  return batch.map((r) => ({
    columns: eventColumns(r.event, r.routes, r.deliveries.length, now.getTime()),
    bodyHash: r.bodyHash,
    dedupeWindowMs: r.dedupeWindowMs,
    deliveries: r.deliveries,
  }));
}

// Insert the key, or take it over when it has expired; no row back means a live duplicate holds it.
const CLAIM_DEDUPE_KEY = `
  INSERT INTO dedupe (source, body_hash, event_id, expires_at) VALUES (@source, @bodyHash, @eventId, @expiresAt)
  ON CONFLICT (source, body_hash) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
    WHERE dedupe.expires_at <= @now
  RETURNING event_id`;

const ORIGINAL_EVENT = 'SELECT event_id FROM dedupe WHERE source = ? AND body_hash = ?';

/**
 * Windows up to this long (a week, the default retention) are deduplicated through the in-memory index of
 * recent bodies (RecentBodies) and the event rows; longer ones (redecode's "for good" marks) through the
 * dedupe table, whose keys outlive the events.
 */
export const MEMORY_WINDOW_MAX_MS = 7 * 86_400_000;

const CANDIDATE = 'SELECT id, source, body_hash, dedupe_until FROM events WHERE rowid = ?';

// Reads the (received_at, body_key) index alone. Rows older than migration 005 that it did not fill have none.
const RECENT_ROWS = `
  SELECT rowid, body_key, received_at FROM events
  WHERE received_at >= ? AND received_at < ? AND body_key IS NOT NULL`;

// The rows other connections wrote since this one last looked (rowids grow with each insert).
const ROWS_AFTER = 'SELECT rowid, body_key, received_at FROM events WHERE rowid > ? AND body_key IS NOT NULL';

/**
 * Each connection's index of recent bodies (the store thread has its own connection, and so its own index),
 * with what it has seen of the file: `version` is PRAGMA data_version, which changes when another connection
 * commits (a second process or store on the same file), and `lastRowid` the newest row the index knows of.
 */
interface Seen {
  recent: RecentBodies;
  version: number;
  lastRowid: number;
}
const seenBy = new WeakMap<SqliteDb, Seen>();

// The event's inserts bind by position: better-sqlite3 looks each named parameter up on the object
// it is given, and with the object built for the call that was half of the insert's cost (measured in memory:
// 8.3 µs per event row named, 4.0 positional).
const INSERT_EVENT = `
  INSERT INTO events (id, source, type, received_at, body_hash, body_key, dedupe_until, event, routes, unrouted)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Commits a whole batch (events, new deliveries, dedupe keys) in one IMMEDIATE transaction. */
export async function ingest(db: SqliteDb, { batch, now }: Parameters<IngestOps['ingest']>[0]) {
  return ingestPrepared(db, { batch: prepareIngest(batch, now), now });
}

/** ingest() for a batch prepared elsewhere (the threaded store prepares it on the main thread). */
export async function ingestPrepared(
  db: SqliteDb,
  { batch, now }: { batch: PreparedIngest[]; now: Date },
): Promise<IngestResult[]> {
  if (batch.length === 0) return [];
  const t = now.getTime();
  return db.transaction(() => {
    catchUp(db);
    return batch.map((request) => ingestOne(db, request, t));
  });
}

/**
 * Inside the write transaction (no other connection can commit meanwhile): when another connection has
 * committed since this one last looked, adds the rows it wrote to the index, so dedupe holds across processes
 * and stores sharing the file.
 */
function catchUp(db: SqliteDb): void {
  const seen = seenBy.get(db);
  if (seen === undefined) return; // nothing indexed yet: the first cover reads the file as it is
  const version = dataVersion(db);
  if (version === seen.version) return;
  for (const [rowid, key, at] of db.stmt(ROWS_AFTER).raw(true).iterate(seen.lastRowid) as Iterable<
    [number, number, number]
  >) {
    seen.recent.add(key, rowid, at);
    seen.lastRowid = Math.max(seen.lastRowid, rowid);
  }
  seen.version = version;
}

/** One request inside the batch's transaction: a duplicate answers the original id and inserts nothing. */
function ingestOne(db: SqliteDb, request: PreparedIngest, now: number): IngestResult {
  const { columns, bodyHash, dedupeWindowMs: windowMs } = request;
  const key = bodyKey(columns.source, bodyHash);
  if (windowMs > 0 && windowMs <= MEMORY_WINDOW_MAX_MS) {
    const seen = seenOf(db);
    const recentRows = (from: number, to: number) =>
      db.stmt(RECENT_ROWS).raw(true).iterate(from, to) as Iterable<[number, number, number]>;
    seen.recent.cover(now, windowMs, recentRows);
    const original = liveOriginal(db, seen.recent.candidates(key), request, now);
    if (original !== undefined) return { id: original, duplicate: true };
    const rowid = Number(insertEvent(db, request, key, now, now + windowMs).lastInsertRowid);
    seen.recent.add(key, rowid, columns.receivedAt);
    seen.lastRowid = Math.max(seen.lastRowid, rowid);
    return { id: columns.id, duplicate: false };
  }
  if (windowMs > 0) {
    const won = db.stmt(CLAIM_DEDUPE_KEY).get({
      source: columns.source,
      bodyHash,
      eventId: columns.id,
      expiresAt: now + request.dedupeWindowMs,
      now,
    });
    if (won === undefined) {
      const original = db.stmt(ORIGINAL_EVENT).get(columns.source, bodyHash) as { event_id: string };
      return { id: original.event_id, duplicate: true };
    }
  }
  insertEvent(db, request, key, now, null);
  return { id: columns.id, duplicate: false };
}

/** The event row (a duplicate of it counts until `dedupeUntil`, epoch ms) and its deliveries. */
function insertEvent(
  db: SqliteDb,
  { columns, bodyHash, deliveries }: PreparedIngest,
  key: number,
  now: number,
  dedupeUntil: number | null,
) {
  const c = columns;
  const inserted = db
    .stmt(INSERT_EVENT)
    .run(
      c.id,
      c.source,
      c.type,
      c.receivedAt,
      bodyHash,
      key,
      dedupeUntil,
      c.event,
      c.routes,
      Number(c.unrouted),
    );
  // Into the append-only table: moved into `deliveries` before anything reads them (new-deliveries.ts).
  const insertDelivery = db.stmt(INSERT_NEW_DELIVERY);
  for (const { destination, route } of deliveries)
    insertDelivery.run(newId(now), c.id, destination, route, now);
  return inserted;
}

/** The id of a row among `rowids` holding this very body whose dedupe window is still open, if any. */
function liveOriginal(
  db: SqliteDb,
  rowids: number[],
  { columns, bodyHash }: PreparedIngest,
  now: number,
): string | undefined {
  for (const rowid of rowids) {
    const row = db.stmt(CANDIDATE).get(rowid) as
      | { id: string; source: string; body_hash: string; dedupe_until: number | null }
      | undefined;
    if (
      row?.source === columns.source &&
      row.body_hash === bodyHash &&
      row.dedupe_until !== null &&
      row.dedupe_until > now
    )
      return row.id;
  }
  return undefined;
}

function seenOf(db: SqliteDb): Seen {
  let seen = seenBy.get(db);
  if (seen === undefined) {
    const { last } = db.stmt('SELECT COALESCE(MAX(rowid), 0) AS last FROM events').get() as { last: number };
    const version = dataVersion(db);
    seen = { recent: new RecentBodies(), version, lastRowid: last };
    seenBy.set(db, seen);
  }
  return seen;
}

/** PRAGMA data_version through the statement cache (db.raw.pragma prepares it anew on every call). */
function dataVersion(db: SqliteDb): number {
  return db.stmt('PRAGMA data_version').pluck().get() as number;
}
