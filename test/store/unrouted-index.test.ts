import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, ingestOne } from './fixtures.ts';

/**
 * Only unrouted events are indexed for the unrouted filter (issue 19: every routed event used to add an entry,
 * about two of the ~29 pages each SQLite commit wrote). A store written before keeps answering the filter the
 * same way after it migrates, the filter reads the partial index, and routed events add nothing to it.
 */

const url = process.env.SWITCHBOARD_TEST_PG_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;

/** Ingests `routed` routed events and `unrouted` unrouted ones, interleaved; answers the unrouted ids, newest first. */
async function fill(
  store: Store,
  routed: number,
  unrouted: number,
): Promise<{ unroutedIds: string[]; all: number }> {
  const ids: string[] = [];
  const total = routed + unrouted;
  const every = Math.floor(total / Math.max(1, unrouted));
  for (let i = 0, u = 0; i < total; i++) {
    const isUnrouted = u < unrouted && i % every === 0;
    const r = await ingestOne(store, at(i), { to: isUnrouted ? [] : ['crm'] });
    if (isUnrouted) {
      ids.push(r.id);
      u++;
    }
  }
  return { unroutedIds: ids.reverse(), all: total };
}

async function listIds(store: Store, unrouted: boolean, limit = 1000): Promise<string[]> {
  return (await store.listEvents({ filter: { unrouted }, limit })).items.map((e) => e.id);
}

describe('store: the unrouted filter reads an index of unrouted events only', () => {
  it('SQLite: a store migrated from the full index answers alike, through the partial index, and routed ingest leaves it untouched', async () => {
    const tmp = tempDir('unrouted-sqlite');
    const path = join(tmp.dir, 'sb.db');
    try {
      let store = openSqliteStore(path);
      await store.migrate();
      const { unroutedIds, all } = await fill(store, 40, 5);
      await store.close();
      // The previous version's schema: the full (unrouted, id) index, and no record of this migration.
      const old = new Database(path);
      old.exec(`DROP INDEX events_unrouted; CREATE INDEX events_unrouted_id ON events (unrouted, id);
        DELETE FROM schema_migrations WHERE name = 'unrouted_partial_index'`);
      old.close();

      store = openSqliteStore(path);
      await store.migrate();
      expect(await listIds(store, true)).to.deep.equal(unroutedIds);
      expect(await listIds(store, false)).to.have.length(all - unroutedIds.length);
      expect(await listIds(store, true, 2)).to.deep.equal(unroutedIds.slice(0, 2));
      await store.close();

      const db = new Database(path);
      try {
        const indexes = db.prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'",
        );
        expect(indexes.all().map((r) => (r as { name: string }).name))
          .to.include('events_unrouted')
          .and.not.include('events_unrouted_id');
        const plan = db
          .prepare('EXPLAIN QUERY PLAN SELECT id FROM events WHERE unrouted ORDER BY id DESC LIMIT 10')
          .all() as Array<{ detail: string }>;
        expect(plan.map((p) => p.detail).join(' ')).to.match(/USING (COVERING )?INDEX events_unrouted\b/);
        const entries = () =>
          (
            db
              .prepare('SELECT count(*) AS n FROM events INDEXED BY events_unrouted WHERE unrouted')
              .get() as {
              n: number;
            }
          ).n;
        expect(entries()).to.equal(unroutedIds.length);
        db.close();
        // 200 more routed events: none reaches the index.
        store = openSqliteStore(path);
        await store.migrate();
        await fill(store, 200, 0);
        await store.close();
        const again = new Database(path);
        expect(
          (
            again
              .prepare('SELECT count(*) AS n FROM events INDEXED BY events_unrouted WHERE unrouted')
              .get() as {
              n: number;
            }
          ).n,
        ).to.equal(unroutedIds.length);
        again.close();
      } finally {
        if (db.open) db.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('PostgreSQL: a schema migrated from the full index answers alike, through the partial index', async () => {
    const schema = `unrouted_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let store: Store | undefined;
    try {
      store = await openPostgresStore({ url, poolSize: 2, schema });
      await store.migrate();
      const { unroutedIds, all } = await fill(store, 40, 5);
      await store.close();
      await admin.query(`SET search_path TO "${schema}"`);
      await admin.query(`DROP INDEX events_unrouted; CREATE INDEX events_unrouted_id ON events (unrouted, id);
        DELETE FROM schema_migrations WHERE name = 'unrouted_partial_index'`);

      store = await openPostgresStore({ url, poolSize: 2, schema });
      await store.migrate();
      expect(await listIds(store, true)).to.deep.equal(unroutedIds);
      expect(await listIds(store, false)).to.have.length(all - unroutedIds.length);

      const { rows } = await admin.query<{ indexname: string; indexdef: string }>(
        'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
        [schema, 'events'],
      );
      const names = rows.map((r) => r.indexname);
      expect(names).to.include('events_unrouted').and.not.include('events_unrouted_id');
      expect(rows.find((r) => r.indexname === 'events_unrouted')?.indexdef).to.match(/WHERE unrouted$/);
      // The table is tiny, so steer the planner off a sequential scan to see which index it can use.
      await admin.query('SET enable_seqscan = off');
      const plan = await admin.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN SELECT id FROM events WHERE unrouted ORDER BY id DESC LIMIT 10',
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).to.match(/events_unrouted\b/);
    } finally {
      await store?.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await admin.end();
    }
  });
});
