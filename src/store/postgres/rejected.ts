import type pg from 'pg';
import { newId } from '../../ids.ts';
import { toPage } from '../filters.ts';
import { type RejectedRecord, toRejected } from '../rows.ts';
import type { Page, RejectedPayload } from '../types.ts';
import { inTransaction, pgText } from './db.ts';

const INSERT_REJECTED = `
  INSERT INTO rejected (id, source, url_event, received_at, body, errors) VALUES ($1, $2, $3, $4, $5, $6)`;

const TRIM_REJECTED =
  'DELETE FROM rejected WHERE id <= (SELECT id FROM rejected ORDER BY id DESC LIMIT 1 OFFSET $1)';
const REJECTED_COLUMNS = 'id, source, url_event, received_at, body, errors';

/** Keeps a rejected payload, trimming the oldest beyond `keep`; answers its id. */
export async function addRejectedPostgres(
  pool: pg.Pool,
  r: Omit<RejectedPayload, 'id'>,
  now: Date,
  keep: number,
): Promise<string> {
  const id = newId(now.getTime());
  const receivedAt = Date.parse(r.receivedAt);
  await inTransaction(pool, async (client) => {
    await client.query(INSERT_REJECTED, [
      id,
      r.source,
      r.urlEvent,
      Number.isNaN(receivedAt) ? now.getTime() : receivedAt,
      pgText(r.body),
      JSON.stringify(r.errors),
    ]);
    await client.query(TRIM_REJECTED, [keep]);
  });
  return id;
}

/** A newest-first page of rejected payloads. */
export async function listRejectedPostgres(
  pool: pg.Pool,
  limit: number,
  cursor?: string,
): Promise<Page<RejectedPayload>> {
  const { rows } = cursor
    ? await pool.query<RejectedRecord>(
        `SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id < $1 ORDER BY id DESC LIMIT $2`,
        [cursor, limit + 1],
      )
    : await pool.query<RejectedRecord>(`SELECT ${REJECTED_COLUMNS} FROM rejected ORDER BY id DESC LIMIT $1`, [
        limit + 1,
      ]);
  return toPage(rows, limit, toRejected);
}

/** One rejected payload, or null. */
export async function getRejectedPostgres(pool: pg.Pool, id: string): Promise<RejectedPayload | null> {
  const { rows } = await pool.query<RejectedRecord>(
    `SELECT ${REJECTED_COLUMNS} FROM rejected WHERE id = $1`,
    [id],
  );
  return rows.length === 0 ? null : toRejected(rows[0]);
}

/** Deletes one rejected payload (no error when it is already gone). */
export async function deleteRejectedPostgres(pool: pg.Pool, id: string): Promise<void> {
  await pool.query('DELETE FROM rejected WHERE id = $1', [id]);
}
