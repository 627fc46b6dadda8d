import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { tempDir } from '../helpers/tmp.ts';
import { request } from './fixtures.ts';

/**
 * The write-ahead log after a burst that a long read kept from being checkpointed: cut back once the read
 * ends, instead of staying at its largest for ever (real SQLite files).
 */
describe('store: the SQLite write-ahead log after a burst', function () {
  this.timeout(60_000);
  const tmp = tempDir('wal-size');
  after(() => tmp.cleanup());

  it('shrinks back to the limit once a checkpoint can run again (found by an attack: it never shrank)', async () => {
    const path = `${tmp.dir}/sb.db`;
    const limit = 1024 * 1024;
    const store = openSqliteStore(path, { walSizeLimitBytes: limit });
    await store.migrate();
    const wal = () => statSync(`${path}-wal`).size;
    const burst = async (batches: number) => {
      const now = new Date();
      for (let i = 0; i < batches; i++)
        await store.ingest({ batch: Array.from({ length: 200 }, () => request(now, { to: ['crm'] })), now });
    };
    try {
      // A reader's snapshot (the CLI, a backup) holds every checkpoint back: the log grows past the limit.
      const reader = new Database(path, { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM events').get();
      await burst(60);
      const grown = wal();
      expect(grown).to.be.greaterThan(4 * limit);
      reader.exec('COMMIT');
      reader.close();
      // The next commit checkpoints (the log is past 1,000 pages), the one after starts the log over and cuts
      // the file back.
      await burst(1);
      await burst(1);
      expect(wal()).to.be.at.most(limit);
    } finally {
      await store.close();
    }
  });
});
