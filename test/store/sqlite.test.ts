import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { loadMigrations } from '../../src/store/migrations.ts';
import { MEMORY_WINDOW_MAX_MS } from '../../src/store/sqlite/ingest.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import type { Store } from '../../src/store/types.ts';
import { at, ingestOne, type MakeStoreOptions, request } from './fixtures.ts';
import { storeSuite } from './suite.ts';

// Workers do not inherit mocha's tsx loader: register it in the worker, then load the TypeScript claimer.
const TS_WORKER = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.resolve('./sqlite-claimer.ts'))}); })`;

const pathOf = new Map<Store, string>();
let files = 0;

/** A maker of migrated SQLite stores, each on its own file in `dir`, or on `shareWith`'s file. */
function storesIn(dir: string) {
  return async (options: MakeStoreOptions = {}): Promise<Store> => {
    const path = options.shareWith ? pathOf.get(options.shareWith)! : join(dir, `store-${++files}.db`);
    const store = openSqliteStore(path, { maxRejected: options.maxRejected });
    await store.migrate();
    pathOf.set(store, path);
    return store;
  };
}

const suiteDir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
storeSuite('sqlite', storesIn(suiteDir), async () => rmSync(suiteDir, { recursive: true, force: true }));

describe('store: sqlite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  const makeStore = storesIn(dir);
  const opened: Store[] = [];
  afterEach(async () => Promise.all(opened.splice(0).map((s) => s.close())));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the parent directory and opens the file in WAL mode with migrations recorded', async () => {
    const path = join(dir, 'nested', 'deeper', 'switchboard.db');
    const store = openSqliteStore(path);
    opened.push(store);
    await store.migrate();
    await store.migrate();
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
      const files = loadMigrations(new URL('../../src/store/sqlite/migrations/', import.meta.url));
      expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).to.deep.equal(
        files.map((m) => ({ version: m.version, name: m.name })),
      );
      expect(files[0]).to.include({ version: 1, name: 'init' });
    } finally {
      raw.close();
    }
  });

  it('upgrades a file made by the first schema, keeping every attempt and starting retry budgets at the first', async () => {
    const path = join(dir, 'upgrade.db');
    const old = new Database(path);
    old.exec(
      readFileSync(new URL('../../src/store/sqlite/migrations/001_init.sql', import.meta.url), 'utf8'),
    );
    old.exec(
      `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
       INSERT INTO schema_migrations VALUES (1, 'init', 0);
       INSERT INTO events VALUES ('e1', 'mta', 'delivery-status', NULL, 0, 'h', '{"id":"e1"}', '[]', 0);
       INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
         VALUES ('d1', 'e1', 'crm', 'main', 'pending', 2, 5000, 0, 0);
       INSERT INTO attempts VALUES ('a1', 'd1', 1, 1000, 5, 'retry', 'down', 503), ('a2', 'd1', 2, 3000, 5, 'retry', 'down', 503);`,
    );
    old.close();
    const store = openSqliteStore(path);
    opened.push(store);
    await store.migrate();
    const log = (await store.getEvent({ id: 'e1' }))!.deliveries[0].attemptLog;
    expect(log.map((a) => [a.number, a.outcome, a.statusCode])).to.deep.equal([
      [1, 'retry', 503],
      [2, 'retry', 503],
    ]);
    const [claimed] = await store.claim({
      destination: 'crm',
      limit: 1,
      owner: 'w1',
      leaseMs: 30_000,
      now: at(10),
    });
    expect(claimed).to.include({ attempts: 2, firstAttemptAt: 1000 });
  });

  it('prune deletes expired dedupe keys and keeps live ones (windows longer than a week live in the table)', async () => {
    const store = await makeStore();
    opened.push(store);
    const week = MEMORY_WINDOW_MAX_MS;
    await ingestOne(store, at(0), { body: 'old', windowMs: week + 1_000 });
    await ingestOne(store, at(0), { body: 'live', windowMs: week + 60_000 });
    await ingestOne(store, at(0), { body: 'recent', windowMs: 60_000 });
    await store.prune({ before: at(0), now: at(week + 1_000) });
    const raw = new Database(pathOf.get(store)!, { readonly: true });
    try {
      expect(raw.prepare('SELECT COUNT(*) AS n FROM dedupe').get()).to.deep.equal({ n: 1 });
    } finally {
      raw.close();
    }
  });

  describe('dedupe through the event rows (windows up to a week)', () => {
    const windowMs = 3_600_000;

    it('writes no dedupe key row, and still answers the original after a restart', async () => {
      const first = await makeStore();
      const path = pathOf.get(first)!;
      const original = await ingestOne(first, at(0), { body: 'kept', windowMs });
      await first.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT COUNT(*) AS n FROM dedupe').get()).to.deep.equal({ n: 0 });
      raw.close();
      for (const reopened of [openSqliteStore(path), new ThreadedSqliteStore(path)]) {
        opened.push(reopened);
        await reopened.migrate();
        const again = await ingestOne(reopened, at(windowMs - 1), { body: 'kept', windowMs });
        expect(again).to.include({ id: original.id, duplicate: true });
        await reopened.close();
      }
    });

    it('reaches further back when a later request asks for a longer window than any before', async () => {
      const first = await makeStore();
      const path = pathOf.get(first)!;
      const old = await ingestOne(first, at(0), { body: 'old', windowMs: 2 * windowMs });
      await first.close();
      const store = openSqliteStore(path);
      opened.push(store);
      await store.migrate();
      // After the restart only a minute was asked for; a two-hour window must still find the body an hour back.
      await ingestOne(store, at(windowMs), { body: 'other', windowMs: 60_000 });
      const again = await ingestOne(store, at(windowMs), { body: 'old', windowMs: 2 * windowMs });
      expect(again).to.include({ id: old.id, duplicate: true });
    });

    it('sees what another connection to the file committed (a second store or process)', async () => {
      const store = await makeStore();
      opened.push(store);
      const other = openSqliteStore(pathOf.get(store)!);
      opened.push(other);
      await ingestOne(store, at(0), { body: 'mine', windowMs });
      const theirs = await ingestOne(other, at(1), { body: 'theirs', windowMs });
      const again = await ingestOne(store, at(2), { body: 'theirs', windowMs });
      expect(again).to.include({ id: theirs.id, duplicate: true });
    });

    it('treats a body whose original was pruned as new (its row is gone, so is the proof)', async () => {
      const store = await makeStore();
      opened.push(store);
      const first = await ingestOne(store, at(0), { body: 'pruned', windowMs, to: [] });
      await store.prune({ before: at(1), now: at(2) });
      const again = await ingestOne(store, at(3), { body: 'pruned', windowMs, to: [] });
      expect(again).to.include({ duplicate: false });
      expect(again.id).to.not.equal(first.id);
    });

    it('finds every live body among thousands, across the index’s growth and sweeps', async () => {
      const store = await makeStore();
      opened.push(store);
      const ids = new Map<string, string>();
      for (let i = 0; i < 5_000; i += 250) {
        const batch = Array.from({ length: 250 }, (_, k) =>
          request(at(i + k), { body: `b${i + k}`, windowMs }),
        );
        const results = await store.ingest({ batch, now: at(i) });
        for (const [k, r] of results.entries()) ids.set(`b${i + k}`, r.id);
      }
      const again = Array.from({ length: 5_000 }, (_, i) => request(at(6_000), { body: `b${i}`, windowMs }));
      const results = await store.ingest({ batch: again, now: at(6_000) });
      expect(results.filter((r) => !r.duplicate)).to.deep.equal([]);
      expect(results.map((r) => r.id)).to.deep.equal([...ids.values()]);
    });
  });

  it('never gives one delivery to two claimers running in parallel threads on the same file', async () => {
    const store = await makeStore();
    opened.push(store);
    const batch = Array.from({ length: 300 }, () => request(at(0), { to: ['crm'] }));
    await store.ingest({ batch, now: at(0) });
    const path = pathOf.get(store)!;
    const claimer = (owner: string) =>
      new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(TS_WORKER, {
          eval: true,
          workerData: { path, owner, now: at(1).getTime() },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`claimer ${owner} exited with ${code} before answering`)),
        );
      });
    const results = await Promise.all(['t1', 't2', 't3'].map(claimer));
    const all = results.flat();
    expect(new Set(all).size).to.equal(all.length);
    expect(all).to.have.length(300);
  });
});

const threadDir = mkdtempSync(join(tmpdir(), 'switchboard-store-thread-'));
const threadPaths = new Map<Store, string>();
storeSuite(
  'sqlite on a worker thread',
  async (options: MakeStoreOptions = {}) => {
    const path = options.shareWith
      ? threadPaths.get(options.shareWith)!
      : join(threadDir, `store-${++files}.db`);
    const store = new ThreadedSqliteStore(path, { maxRejected: options.maxRejected });
    await store.migrate();
    threadPaths.set(store, path);
    return store;
  },
  async () => rmSync(threadDir, { recursive: true, force: true }),
);
