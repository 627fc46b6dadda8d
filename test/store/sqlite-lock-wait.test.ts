import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, request } from './fixtures.ts';

/**
 * A store call waits for another process's write lock at most 5 s from when the main thread asked (db.ts,
 * lockDeadline): measured on a clock that only moves forward, as a wait is a duration.
 */
describe('store: sqlite lock wait of a call on the store thread', () => {
  const tmp = tempDir('sqlite-lock-wait');
  after(() => tmp.cleanup());

  it('waits for a lock held briefly elsewhere even when the wall clock is stepped between the ask and the call (NTP)', async () => {
    const file = join(tmp.dir, 'step.db');
    const store = new ThreadedSqliteStore(file);
    await store.migrate();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE'); // another process holds the write lock for 300 ms
    const released = new Promise((r) => setTimeout(r, 300)).then(() => holder.exec('ROLLBACK'));
    // The main thread's wall clock reads 10 s behind the store thread's: what a step forward between the two
    // readings does.
    const now = Date.now;
    Date.now = () => now() - 10_000;
    try {
      const [ingested] = await store.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
      expect(ingested.duplicate).to.equal(false);
    } finally {
      Date.now = now;
      await released;
      holder.close();
      await store.close();
    }
  });
});
