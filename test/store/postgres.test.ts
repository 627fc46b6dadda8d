import { userInfo } from 'node:os';
import { expect } from 'chai';
import pg from 'pg';
import { loadMigrations } from '../../src/store/migrations.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import type { Store } from '../../src/store/types.ts';
import { at, ingestOne, type MakeStoreOptions } from './fixtures.ts';
import { storeSuite } from './suite.ts';

// Trust auth on the local server; without a user in the URL, connect as the OS user.
const url = process.env.SWITCHBOARD_TEST_PG_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
const run = `sb_test_${process.pid}_${Date.now().toString(36)}`;
const schemas = new Set<string>();
const schemaOf = new Map<Store, string>();

/** A migrated PostgreSQL store with its own pool, in a fresh schema or in `shareWith`'s schema. */
async function makeStore(options: MakeStoreOptions = {}): Promise<Store> {
  const schema = options.shareWith ? schemaOf.get(options.shareWith)! : `${run}_${schemas.size + 1}`;
  schemas.add(schema);
  const store = await openPostgresStore({ url, poolSize: 4, schema, maxRejected: options.maxRejected });
  await store.migrate();
  schemaOf.set(store, schema);
  return store;
}

/** Runs SQL on a pool of its own, outside any store. */
async function admin<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return (await pool.query<T>(sql)).rows;
  } finally {
    await pool.end();
  }
}

/** Drops every schema this run created. */
async function dropSchemas(): Promise<void> {
  for (const schema of schemas) await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

storeSuite('postgres', makeStore, dropSchemas);

describe('store: postgres schema', () => {
  const opened: Store[] = [];
  afterEach(async () => Promise.all(opened.splice(0).map((s) => s.close())));
  after(dropSchemas);

  it('lets two stores migrate the same fresh schema concurrently', async () => {
    const schema = `${run}_race`;
    schemas.add(schema);
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, poolSize: 2, schema })));
    opened.push(...stores);
    await Promise.all(stores.map((s) => s.migrate()));
    const rows = await admin<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    // Each migration once, however many stores raced (every file in the folder, so new migrations need no edit).
    const files = loadMigrations(new URL('../../src/store/postgres/migrations/', import.meta.url));
    expect(rows).to.deep.equal(files.map((m) => ({ version: m.version })));
    const { id } = await ingestOne(stores[0], at(0));
    expect(await stores[2].getEvent({ id })).to.not.equal(null);
  });

  it("waits out another instance's migration longer than store.statementTimeout (found by an attack: the start failed)", async function () {
    this.timeout(30_000);
    const schema = `${run}_slowmig`;
    schemas.add(schema);
    // Another instance migrating: it holds the advisory lock (and so the turn) for 3 s.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `switchboard.migrate.${schema}`,
    ]);
    const released = new Promise((resolve) => setTimeout(resolve, 3_000)).then(() => other.query('COMMIT'));
    try {
      const store = await openPostgresStore({
        url,
        poolSize: 2,
        schema,
        timeouts: { statementTimeoutMs: 1_000 },
      });
      opened.push(store);
      await store.migrate();
      const { id } = await ingestOne(store, at(0));
      expect(await store.getEvent({ id })).to.not.equal(null);
    } finally {
      await released;
      await other.end();
    }
  });

  it('prune deletes expired dedupe keys and keeps live ones', async () => {
    const store = await makeStore();
    opened.push(store);
    await ingestOne(store, at(0), { body: 'old', windowMs: 1_000 });
    await ingestOne(store, at(0), { body: 'live', windowMs: 60_000 });
    await store.prune({ before: at(0), now: at(1_000) });
    const rows = await admin<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schemaOf.get(store)}".dedupe`);
    expect(rows).to.deep.equal([{ n: '1' }]);
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    let error: unknown;
    await openPostgresStore({ url, poolSize: 1, schema: 'x"; DROP' }).catch((e: unknown) => {
      error = e;
    });
    expect(error).to.be.instanceOf(Error);
  });

  it('keeps a NUL in a rejected body as U+FFFD instead of failing', async () => {
    const store = await makeStore();
    opened.push(store);
    const body = 'a\u0000b';
    const id = await store.addRejected({
      payload: { source: 'mta', urlEvent: null, receivedAt: at(0).toISOString(), body, errors: [] },
      now: at(0),
    });
    expect((await store.getRejected({ id }))?.body).to.equal('a\uFFFDb');
  });
});
