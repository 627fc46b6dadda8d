import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { expect } from 'chai';
import type { SqliteDb } from '../../src/store/sqlite/db.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { at, attempt, request } from './fixtures.ts';

/** Records the synchronous level in force at each COMMIT the store's connection runs. */
function watchCommits(db: SqliteDb): string[] {
  const levels: string[] = [];
  const stmt = db.stmt.bind(db);
  db.stmt = (sql: string) => {
    const statement = stmt(sql);
    if (sql !== 'COMMIT') return statement;
    return {
      run: (...args: unknown[]) => {
        levels.push(String(db.raw.pragma('synchronous', { simple: true })));
        return statement.run(...args);
      },
    } as unknown as Database.Statement;
  };
  return levels;
}

describe('store: sqlite commit durability', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-durability-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('commits ingest with synchronous=FULL even right after queue bookkeeping ran at NORMAL', async () => {
    const store = openSqliteStore(join(dir, 'a.db'));
    await store.migrate();
    const db = (store as unknown as { db: SqliteDb }).db;
    const levels = watchCommits(db);
    await store.ingest({ batch: [request(at(0))], now: at(0) });
    const [claimed] = await store.claim({
      destination: 'crm',
      limit: 1,
      owner: 'w',
      leaseMs: 30_000,
      now: at(0),
    });
    await store.complete({
      deliveryId: claimed.id,
      owner: 'w',
      attempt: attempt(1, 'delivered', at(1)),
      next: { state: 'delivered' },
      now: at(1),
    });
    await store.ingest({ batch: [request(at(2))], now: at(2) });
    await store.replay({ filter: { state: 'delivered' }, now: at(3) });
    // 2 = FULL, 1 = NORMAL: ingest, the claim (which moves ingest's new delivery in its own transaction:
    // new-deliveries.ts), complete, ingest, the move before the replay, replay
    expect(levels).to.deep.equal(['2', '1', '1', '2', '1', '2']);
    await store.close();
  });
});
