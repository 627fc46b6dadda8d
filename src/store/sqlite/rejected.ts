import { newId } from '../../ids.ts';
import { toPage } from '../filters.ts';
import { type RejectedRecord, toRejected } from '../rows.ts';
import type { Page, RejectedPayload } from '../types.ts';
import type { SqliteDb } from './db.ts';

const INSERT_REJECTED = `
  INSERT INTO rejected (id, source, url_event, received_at, body, errors)
  VALUES (@id, @source, @urlEvent, @receivedAt, @body, @errors)`;

const TRIM_REJECTED =
  'DELETE FROM rejected WHERE id <= (SELECT id FROM rejected ORDER BY id DESC LIMIT 1 OFFSET ?)';
const REJECTED_COLUMNS = 'id, source, url_event, received_at, body, errors';

/** Keeps a rejected payload, trimming the oldest beyond `keep`; answers its id. */
export function addRejectedSqlite(
  db: SqliteDb,
  r: Omit<RejectedPayload, 'id'>,
  now: Date,
  keep: number,
): string {
  const id = newId(now.getTime());
  const receivedAt = Date.parse(r.receivedAt);
  db.write(() => {
    db.stmt(INSERT_REJECTED).run({
      id,
      source: r.source,
      urlEvent: r.urlEvent,
      receivedAt: Number.isNaN(receivedAt) ? now.getTime() : receivedAt,
      body: r.body,
      errors: JSON.stringify(r.errors),
    });
    db.stmt(TRIM_REJECTED).run(keep);
  });
  return id;
}

/** A newest-first page of rejected payloads. */
export function listRejectedSqlite(db: SqliteDb, limit: number, cursor?: string): Page<RejectedPayload> {
  const rows = (
    cursor
      ? db
          .stmt(`SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id < ? ORDER BY id DESC LIMIT ?`)
          .all(cursor, limit + 1)
      : db.stmt(`SELECT ${REJECTED_COLUMNS} FROM rejected ORDER BY id DESC LIMIT ?`).all(limit + 1)
  ) as RejectedRecord[];
  return toPage(rows, limit, toRejected);
}

/** One rejected payload, or null. */
export function getRejectedSqlite(db: SqliteDb, id: string): RejectedPayload | null {
  const row = db.stmt(`SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id = ?`).get(id) as
    | RejectedRecord
    | undefined;
  return row === undefined ? null : toRejected(row);
}

/** Deletes one rejected payload (no error when it is already gone). */
export function deleteRejectedSqlite(db: SqliteDb, id: string): void {
  db.write(() => db.stmt('DELETE FROM rejected WHERE id = ?').run(id));
}
