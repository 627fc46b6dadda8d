import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { runInOneTransaction } from '../../src/store/sqlite/queue-writes.ts';
import type { SQLiteStore } from '../../src/store/sqlite/store.ts';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import type { CompleteArgs } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, attempt, request } from './fixtures.ts';

const LEASE = 60_000;

/** Counts of rows, read by a connection of its own (what is committed, not what the store's connection sees). */
function committed(path: string): { fresh: number; delivered: number; sending: number; attempts: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      fresh: n('SELECT COUNT(*) AS n FROM deliveries_new'),
      delivered: n("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'delivered'"),
      sending: n("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'sending'"),
      attempts: n('SELECT COUNT(*) AS n FROM attempts'),
    };
  } finally {
    db.close();
  }
}

/** Records each top-level transaction the store's connection begins (nested ones are savepoints). */
function watchTransactions(store: SQLiteStore): string[] {
  const begun: string[] = [];
  const transaction = store.db.transaction.bind(store.db);
  store.db.transaction = (fn, durability) => {
    if (!store.db.raw.inTransaction) begun.push(durability ?? 'full');
    return transaction(fn, durability);
  };
  return begun;
}

const delivered = (deliveryId: string): CompleteArgs => ({
  deliveryId,
  owner: 'w',
  attempt: attempt(1, 'delivered', at(2)),
  next: { state: 'delivered' },
  now: at(3),
});

describe('store: sqlite completions and claims waiting together share one transaction', () => {
  const tmp = tempDir('queue-writes');
  let n = 0;
  after(() => tmp.cleanup());

  /** A store with one delivery claimed by `w` and one more event ingested since (its delivery still new). */
  async function withOneClaimedOneNew() {
    const path = join(tmp.dir, `${++n}.db`);
    const store = openSqliteStore(path);
    await store.migrate();
    await store.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
    const [first] = await store.claim({
      destination: 'crm',
      limit: 1,
      owner: 'w',
      leaseMs: LEASE,
      now: at(1),
    });
    const [later] = await store.ingest({ batch: [request(at(1), { to: ['crm'] })], now: at(1) });
    return { path, store, first, later };
  }

  it('commits a completion and the next claim once, and answers each on its own', async () => {
    const { path, store, first, later } = await withOneClaimedOneNew();
    const begun = watchTransactions(store);
    // No savepoints: SQLite copies each page changed under one into a sub-journal (a temporary file past 64 KiB).
    const savepoints: string[] = [];
    const stmt = store.db.stmt.bind(store.db);
    store.db.stmt = (sql) => {
      if (sql.startsWith('SAVEPOINT')) savepoints.push(sql);
      return stmt(sql);
    };
    const claim = { destination: 'crm', limit: 5, owner: 'w', leaseMs: LEASE, now: at(4) };
    const answers = await runInOneTransaction(store, [
      { method: 'completeBatch', args: { batch: [delivered(first.id)] } },
      { method: 'claimRaw', args: claim },
    ]);
    expect(begun).to.deep.equal(['queue']);
    expect(savepoints).to.deep.equal([]);
    expect(answers[0]).to.deep.equal({ result: [{ held: true }] });
    expect((answers[1] as { result: Array<{ eventId: string }> }).result.map((c) => c.eventId)).to.deep.equal(
      [later.id],
    );
    expect(committed(path)).to.deep.equal({ fresh: 0, delivered: 1, sending: 1, attempts: 1 });
    await store.close();
  });

  it('when one call fails, nothing of the shared transaction is committed and each call runs again on its own', async () => {
    const { path, store, first } = await withOneClaimedOneNew();
    const begun = watchTransactions(store);
    const answers = await runInOneTransaction(store, [
      { method: 'completeBatch', args: { batch: [delivered(first.id)] } },
      // Fails after moving the new delivery and finding it: a lease of 1n ms cannot be added to a time (TypeError).
      { method: 'claimRaw', args: { destination: 'crm', limit: 5, owner: 'w', leaseMs: 1n, now: at(4) } },
    ]);
    // The shared attempt; then alone: the move every operation but a claim makes first, the completion, the claim.
    expect(begun).to.deep.equal(['queue', 'queue', 'queue', 'queue']);
    expect(answers[0]).to.deep.equal({ result: [{ held: true }] });
    expect((answers[1] as { error: Error }).error).to.be.instanceOf(TypeError);
    // The completion is committed once (one attempt row); the failed claim took nothing.
    expect(committed(path)).to.deep.equal({ fresh: 0, delivered: 1, sending: 0, attempts: 1 });
    await store.close();
  });

  it('when SQLite rolls the whole transaction back (a full disk), the calls after it do not commit in its place: all run again on their own', async () => {
    const { path, store, first } = await withOneClaimedOneNew();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let claims = 0;
    const failing = {
      ...store,
      // What SQLite does on SQLITE_FULL inside a transaction: the whole transaction is rolled back.
      claimRaw: async () => {
        claims++;
        if (store.db.raw.inTransaction) store.db.raw.exec('ROLLBACK');
        throw full;
      },
    } as SQLiteStore;
    const begun = watchTransactions(store);
    const answers = await runInOneTransaction(failing, [
      { method: 'completeBatch', args: { batch: [delivered(first.id)] } },
      { method: 'claimRaw', args: {} },
      { method: 'completeBatch', args: { batch: [delivered(first.id)] } },
    ]);
    // The shared attempt; then alone: the move before the first completion, the completion, the second one. The
    // third call did not run inside the shared attempt once SQLite had ended it (it would have begun and
    // committed a transaction of its own there).
    expect(begun).to.deep.equal(['queue', 'queue', 'queue', 'queue']);
    expect(claims).to.equal(2);
    expect(answers).to.deep.equal([
      { result: [{ held: true }] },
      { error: full },
      { result: [{ held: false }] },
    ]);
    expect(store.db.raw.inTransaction).to.equal(false);
    expect(committed(path)).to.deep.equal({ fresh: 0, delivered: 1, sending: 0, attempts: 2 });
    await store.close();
  });

  it('through the store thread: a completion and a claim that queue up while it waits for the write lock are both answered', async () => {
    const path = join(tmp.dir, `${++n}.db`);
    const store = new ThreadedSqliteStore(path);
    await store.migrate();
    await store.ingest({ batch: [request(at(0), { to: ['crm'] })], now: at(0) });
    const [first] = await store.claim({
      destination: 'crm',
      limit: 1,
      owner: 'w',
      leaseMs: LEASE,
      now: at(1),
    });
    await store.ingest({ batch: [request(at(1), { to: ['crm'] })], now: at(1) });

    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE'); // the thread's next write waits (busy_timeout) while both calls arrive
    const blocked = store.renewLeases({ ids: [first.id], owner: 'w', leaseMs: LEASE, now: at(2) });
    const completion = store.complete(delivered(first.id));
    const claim = store.claim({ destination: 'crm', limit: 5, owner: 'w', leaseMs: LEASE, now: at(4) });
    await new Promise((r) => setTimeout(r, 200));
    holder.exec('COMMIT');
    holder.close();
    expect(await blocked).to.deep.equal([first.id]);
    expect(await completion).to.equal(true);
    expect((await claim).map((c) => c.destination)).to.deep.equal(['crm']);
    await store.close();
    expect(committed(path)).to.deep.equal({ fresh: 0, delivered: 1, sending: 1, attempts: 1 });
  });
});
