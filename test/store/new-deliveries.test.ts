import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, request } from './fixtures.ts';

/**
 * Ingest writes each new delivery as one row of `deliveries_new` (migration 007, issue 19), and every other
 * operation first moves those rows into `deliveries`: so no query ever misses a delivery, a crash between the
 * two loses nothing, and another connection's rows are moved too.
 */

const LEASE = 60_000;

/** Claims up to 10 of crm's due deliveries for worker `w` at `now`. */
function claimCrm(store: Store, now: Date) {
  return store.claim({ destination: 'crm', limit: 10, owner: 'w', leaseMs: LEASE, now });
}

/** Row counts of both tables, read by a connection of its own (as the CLI or an operator's sqlite3 would). */
function tables(path: string): { fresh: number; deliveries: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { fresh: count('deliveries_new'), deliveries: count('deliveries') };
  } finally {
    db.close();
  }
}

/** A migrated store on `file` holding one event with one delivery to crm, still in deliveries_new. */
async function storeWithOne(file: string) {
  const store = openSqliteStore(file);
  await store.migrate();
  const [ingested] = await store.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
  return { store, ingested };
}

/** The event shows its one delivery, pending (read through the store, so after the move). */
async function expectOnePending(store: Store, eventId: string): Promise<void> {
  const event = await store.getEvent({ id: eventId });
  expect(event!.deliveries.map((d) => d.state)).to.deep.equal(['pending']);
}

describe('store: sqlite ingest appends new deliveries, moved before anything reads them', () => {
  const tmp = tempDir('new-deliveries');
  let n = 0;
  const path = () => join(tmp.dir, `${++n}.db`);
  after(() => tmp.cleanup());

  it('an ingest commit writes deliveries_new only; the next operation of any kind sees every delivery in deliveries', async () => {
    const file = path();
    const store = openSqliteStore(file);
    await store.migrate();
    const batch = [request(at(0), { to: ['crm', 'slack'] }), request(at(0), { to: ['crm'] })];
    const results = await store.ingest({ batch, now: at(0) });
    expect(tables(file)).to.deep.equal({ fresh: 3, deliveries: 0 });

    // A read: the event shows both of its deliveries, pending and due at ingest.
    const event = await store.getEvent({ id: results[0].id });
    expect(event!.deliveries.map((d) => [d.destination, d.state, d.attempts]).sort()).to.deep.equal([
      ['crm', 'pending', 0],
      ['slack', 'pending', 0],
    ]);
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 3 });

    // A claim after a later ingest takes that one too, in ingest order.
    const later = await store.ingest({ batch: [request(at(1), { to: ['crm'] })], now: at(1) });
    const claimed = await claimCrm(store, at(2));
    expect(claimed.map((c) => c.event.id)).to.deep.equal([results[0].id, results[1].id, later[0].id]);
    await store.close();
  });

  it('a crash between the ingest commit and the move loses nothing: the next store to open the file moves them', async () => {
    const file = path();
    const first = openSqliteStore(file);
    await first.migrate();
    const [ingested] = await first.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
    // No close (that would move them): the connection just ends, as in a SIGKILL after the 200.
    first.db.raw.close();
    expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 0 });

    const second = openSqliteStore(file);
    await second.migrate();
    const [claimed] = await second.claim({
      destination: 'crm',
      limit: 1,
      owner: 'w',
      leaseMs: LEASE,
      now: at(1),
    });
    expect(claimed?.event.id).to.equal(ingested.id);
    await second.close();
  });

  it('a claim moves them inside its own transaction: one commit for the move and the claim, not two', async () => {
    const file = path();
    const { store, ingested } = await storeWithOne(file);
    const commits: string[] = [];
    const transaction = store.db.transaction.bind(store.db);
    store.db.transaction = (fn, durability) => {
      if (!store.db.raw.inTransaction) commits.push(durability ?? 'full');
      return transaction(fn, durability);
    };
    const claimed = await claimCrm(store, at(1));
    expect(claimed.map((c) => c.event.id)).to.deep.equal([ingested.id]);
    expect(commits).to.deep.equal(['queue']);
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 1 });

    // A claim that fails (another connection holds the write lock) moves nothing: the row waits, as durable.
    await store.ingest({ batch: [request(at(2), { to: ['crm'] })], now: at(2) });
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    store.db.raw.pragma('busy_timeout = 0');
    const failed = await claimCrm(store, at(3)).then(
      () => null,
      (err: { code?: string }) => err.code,
    );
    holder.exec('ROLLBACK');
    holder.close();
    expect(failed).to.match(/^SQLITE_BUSY/);
    expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 1 });
    const next = await claimCrm(store, at(3));
    expect(next).to.have.length(1);
    await store.close();
  });

  it("moves another connection's new deliveries too (two stores on one file)", async () => {
    const file = path();
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    await a.migrate();
    await b.migrate();
    const [fromB] = await b.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
    const page = await a.listDeliveries({ filter: { destination: 'crm' }, limit: 10 });
    expect(page.items.map((d) => d.eventId)).to.deep.equal([fromB.id]);
    await a.close();
    await b.close();
  });

  it('the store thread moves them a moment after a burst, with no other call, and close leaves none behind', async () => {
    const file = path();
    const store = new ThreadedSqliteStore(file);
    await store.migrate();
    await store.ingest({
      batch: [request(at(0), { to: ['crm'] }), request(at(0), { to: ['crm'] })],
      now: at(0),
    });
    const deadline = Date.now() + 5000;
    while (tables(file).fresh > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 2 });

    await store.ingest({ batch: [request(at(1), { to: ['crm'] })], now: at(1) });
    await store.close();
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 3 });
  });

  it("close waits for another process's write lock as any call does, however long after the last call it comes", async () => {
    const file = path();
    const store = new ThreadedSqliteStore(file);
    await store.migrate();
    await store.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE'); // before the thread's move, 50 ms after the ingest
    try {
      expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 0 });
      // Past the ingest's 5 s lock wait: a deadline left over from it must not cut close's own wait to nothing.
      await new Promise((r) => setTimeout(r, 5_500));
      const released = new Promise((r) => setTimeout(r, 300)).then(() => holder.exec('ROLLBACK'));
      await store.close();
      await released;
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 1 });
  });

  it('reads keep answering while the file cannot be written (the move waits), and the move happens once it can', async () => {
    const file = path();
    const { store, ingested } = await storeWithOne(file);
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    try {
      const page = await store.listEvents({ filter: {}, limit: 10 });
      expect(page.items.map((e) => e.id)).to.deep.equal([ingested.id]);
      expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 0 });
      // The move did not wait out the busy timeout, and left it as it was for every other statement.
      expect(store.db.raw.pragma('busy_timeout', { simple: true })).to.equal(5000);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await expectOnePending(store, ingested.id);
    await store.close();
  });

  it('prune never runs without the move: when the move cannot write, prune fails and the event is kept', async () => {
    const file = path();
    const { store, ingested } = await storeWithOne(file);
    // The move's transaction meets a busy lock (another process wrote in between); prune's own would not.
    const transaction = store.db.transaction.bind(store.db);
    let failMove = true;
    store.db.transaction = ((fn: () => unknown, durability?: 'full' | 'queue') => {
      if (failMove && durability === 'queue') {
        failMove = false;
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      }
      return transaction(fn, durability);
    }) as typeof store.db.transaction;
    // Older than the retention: without the move, its delivery looks absent and the event finished.
    const failure = await store.prune({ before: at(60_000), now: at(60_000) }).catch((e: Error) => e);
    expect((failure as { code?: string }).code).to.equal('SQLITE_BUSY');
    expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 0 });

    expect(await store.prune({ before: at(60_000), now: at(60_000) })).to.equal(0);
    await expectOnePending(store, ingested.id);
    await store.close();
  });

  it('drops a new delivery whose event is gone (deleted by hand) instead of failing every later move', async () => {
    const file = path();
    const { store, ingested: kept } = await storeWithOne(file);
    const raw = new Database(file);
    raw
      .prepare(
        'INSERT INTO deliveries_new (id, event_id, destination, route, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run('01ORPHANDELIVERY0000000000', '01NOSUCHEVENT0000000000000', 'crm', 'main', at(0).getTime());
    raw.close();
    const claimed = await claimCrm(store, at(1));
    expect(claimed.map((c) => c.event.id)).to.deep.equal([kept.id]);
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 1 });
    await store.close();
  });

  it('a duplicate writes no delivery, and an unrouted event none', async () => {
    const file = path();
    const store = openSqliteStore(file);
    await store.migrate();
    const body = '{"same":true}';
    await store.ingest({ batch: [request(at(0), { body, windowMs: 60_000 })], now: at(0) });
    const [again] = await store.ingest({ batch: [request(at(1), { body, windowMs: 60_000 })], now: at(1) });
    await store.ingest({ batch: [request(at(2), { to: [] })], now: at(2) });
    expect(again.duplicate).to.equal(true);
    expect(tables(file)).to.deep.equal({ fresh: 1, deliveries: 0 });
    await store.close();
    expect(tables(file)).to.deep.equal({ fresh: 0, deliveries: 1 });
  });
});
