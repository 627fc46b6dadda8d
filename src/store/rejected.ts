import { newId } from '../ids.ts';
import { pageSize, toPage } from './filters.ts';
import { type RejectedRecord, toRejected } from './rows.ts';
import type { Sql } from './sql.ts';
import type { RejectedOps } from './types.ts';

/** Rejected payloads (the quarantine of signature-valid bodies that did not decode), in SQL both dialects speak. */

const INSERT_REJECTED = `
  INSERT INTO rejected (id, source, url_event, received_at, body, raw_body, errors) VALUES (?, ?, ?, ?, ?, ?, ?)`;
const TRIM_REJECTED =
  'DELETE FROM rejected WHERE id <= (SELECT id FROM rejected ORDER BY id DESC LIMIT 1 OFFSET ?)';
const REJECTED_COLUMNS = 'id, source, url_event, received_at, body, raw_body, errors';

/** Keeps a rejected payload, trimming the oldest beyond the store's maxRejected; answers its id. */
export async function addRejected(sql: Sql, { payload, now }: Parameters<RejectedOps['addRejected']>[0]) {
  const id = newId(now.getTime());
  const receivedAt = Date.parse(payload.receivedAt);
  const row = [
    id,
    payload.source,
    payload.urlEvent,
    Number.isNaN(receivedAt) ? now.getTime() : receivedAt,
    payload.body,
    payload.rawBody ?? null,
    JSON.stringify(payload.errors),
  ];
  await sql.write([
    { sql: INSERT_REJECTED, params: row },
    { sql: TRIM_REJECTED, params: [sql.maxRejected] },
  ]);
  return id;
}

/** A newest-first page of rejected payloads. */
export async function listRejected(sql: Sql, { limit, cursor }: Parameters<RejectedOps['listRejected']>[0]) {
  const size = pageSize(limit);
  const rows = cursor
    ? await sql.all<RejectedRecord>(
        `SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id < ? ORDER BY id DESC LIMIT ?`,
        [cursor, size + 1],
      )
    : await sql.all<RejectedRecord>(`SELECT ${REJECTED_COLUMNS} FROM rejected ORDER BY id DESC LIMIT ?`, [
        size + 1,
      ]);
  return toPage(rows, size, toRejected);
}

/** One rejected payload, or null. */
export async function getRejected(sql: Sql, { id }: Parameters<RejectedOps['getRejected']>[0]) {
  const [row] = await sql.all<RejectedRecord>(`SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id = ?`, [id]);
  return row === undefined ? null : toRejected(row);
}

/** Deletes one rejected payload (no error when it is already gone). */
export async function deleteRejected(sql: Sql, { id }: Parameters<RejectedOps['deleteRejected']>[0]) {
  await sql.write([{ sql: 'DELETE FROM rejected WHERE id = ?', params: [id] }]);
}
