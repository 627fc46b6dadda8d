import { expect } from 'chai';
import { GroupCommitter } from '../../src/store/group-commit.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { SQLiteStore } from '../../src/store/sqlite/store.ts';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import type { IngestRequest } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, attempt, request, T0 } from './fixtures.ts';

describe('group commit', () => {
  const tmp = tempDir('group-commit');
  let store: SQLiteStore;
  /** The batches the store was asked to commit, by size, in order. */
  let batches: number[];
  /** Set to make the next store.ingest call fail. */
  let failNext: Error | undefined;

  beforeEach(async () => {
    store = openSqliteStore(`${tmp.dir}/${Date.now()}-${Math.random()}.db`);
    await store.migrate();
    batches = [];
    failNext = undefined;
    const ingest = store.ingest.bind(store);
    store.ingest = async ({ batch, now }: { batch: IngestRequest[]; now: Date }) => {
      batches.push(batch.length);
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
      // Let the event loop turn, as a store on another thread or server would, so later submits queue up.
      await new Promise((resolve) => setTimeout(resolve, 5));
      return ingest({ batch, now });
    };
  });
  afterEach(async () => store.close());
  after(() => tmp.cleanup());

  const committer = (maxBatch?: number) => new GroupCommitter(store, () => T0, maxBatch);
  const req = () => request(new Date(T0), { windowMs: 60_000 });

  it('commits requests submitted in the same turn as one batch, answering each with its own id', async () => {
    const c = committer();
    const reqs = [req(), req(), req()];
    const results = await Promise.all(reqs.map((r) => c.submit(r)));
    expect(batches).to.deep.equal([3]);
    expect(results.map((r) => r.id)).to.deep.equal(reqs.map((r) => r.event.id));
    for (const r of reqs) expect(await store.getEvent({ id: r.event.id })).to.not.equal(null);
  });

  it('gathers what arrives during a commit into the next batch', async () => {
    const c = committer();
    const first = c.submit(req());
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now committing
    const later = [c.submit(req()), c.submit(req()), c.submit(req())];
    await Promise.all([first, ...later]);
    expect(batches).to.deep.equal([1, 3]);
  });

  it('hands the next batch to the store before answering the callers of the one that finished', async () => {
    const c = committer();
    const order: string[] = [];
    const ingest = store.ingest.bind(store);
    store.ingest = async ({ batch, now }) => {
      order.push(`commit ${batch.length}`);
      return ingest({ batch, now });
    };
    const first = c.submit(req()).then(() => order.push('first answered'));
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now committing
    const later = [c.submit(req()), c.submit(req())];
    await Promise.all([first, ...later]);
    expect(order).to.deep.equal(['commit 1', 'commit 2', 'first answered']);
  });

  it('splits a burst into batches of at most maxBatch', async () => {
    const c = committer(4);
    await Promise.all(Array.from({ length: 10 }, () => c.submit(req())));
    expect(batches).to.deep.equal([4, 4, 2]);
  });

  it('answers a duplicate in the same batch with the first one’s id', async () => {
    const c = committer();
    const a = req();
    const b = { ...req(), bodyHash: a.bodyHash };
    const [ra, rb] = await Promise.all([c.submit(a), c.submit(b)]);
    expect(rb).to.deep.equal({ id: ra.id, duplicate: true });
  });

  it('fails only the batch whose commit failed, and keeps committing the next ones', async () => {
    const c = committer();
    failNext = new Error('disk I/O error');
    const failed = [c.submit(req()), c.submit(req())];
    const outcomes = await Promise.allSettled(failed);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).to.equal('disk I/O error');
    const next = req();
    expect(await c.submit(next)).to.deep.equal({ id: next.event.id, duplicate: false });
  });

  it('keeps as many batches in flight as the store takes, each turn’s arrivals its own batch', async () => {
    (store as { ingestBatchesInFlight?: number }).ingestBatchesInFlight = 2;
    const c = committer();
    const first = c.submit(req());
    await new Promise((resolve) => setImmediate(resolve)); // one batch committing, a slot free
    const second = [c.submit(req()), c.submit(req())];
    await new Promise((resolve) => setImmediate(resolve)); // both slots taken: the next ones wait
    const third = [c.submit(req()), c.submit(req()), c.submit(req())];
    await Promise.all([first, ...second, ...third]);
    expect(batches).to.deep.equal([1, 2, 3]);
  });
});

describe('group commit on the SQLite store thread', () => {
  const tmp = tempDir('group-commit-thread');
  after(() => tmp.cleanup());

  it('merges the batches waiting on the thread into one commit, answering each its own, duplicates across them included', async () => {
    const store = new ThreadedSqliteStore(`${tmp.dir}/merged.db`);
    try {
      await store.migrate();
      const now = new Date(T0);
      // Several calls posted before the thread reads any: it takes them all into one transaction.
      const a = request(now, { body: 'one', windowMs: 60_000 });
      const b = request(now, { body: 'two', windowMs: 60_000 });
      const c = request(now, { body: 'one', windowMs: 60_000 });
      const answers = await Promise.all([
        store.ingest({ batch: [a], now }),
        store.ingest({ batch: [b, c], now }),
        store.ingest({ batch: [], now }),
      ]);
      expect(answers).to.deep.equal([
        [{ id: a.event.id, duplicate: false }],
        [
          { id: b.event.id, duplicate: false },
          { id: a.event.id, duplicate: true },
        ],
        [],
      ]);
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(2);
    } finally {
      await store.close();
    }
  });

  it('fails every call merged into a commit that failed, and commits the next ones', async () => {
    const store = new ThreadedSqliteStore(`${tmp.dir}/merged-failure.db`);
    try {
      await store.migrate();
      const now = new Date(T0);
      // A long first commit keeps the thread busy while the next three calls queue behind it.
      const busy = store.ingest({ batch: Array.from({ length: 3_000 }, () => request(now)), now });
      const a = request(now);
      const clash = { ...request(now), event: { ...request(now).event, id: a.event.id } };
      const queued = [a, clash, request(now)].map((r) => store.ingest({ batch: [r], now }));
      // Posted in the same turn, the long one may have been merged with them too (then it shares their fate).
      await busy.catch(() => {});
      const outcomes = await Promise.allSettled(queued);
      // Merged, the clash (the same event id twice) rolls back the one transaction they share.
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
      const next = request(now);
      expect(await store.ingest({ batch: [next], now })).to.deep.equal([
        { id: next.event.id, duplicate: false },
      ]);
      expect(await store.getEvent({ id: a.event.id })).to.equal(null);
    } finally {
      await store.close();
    }
  });

  it('merges completions waiting on the thread into one commit; a completion that fails is answered alone', async () => {
    const store = new ThreadedSqliteStore(`${tmp.dir}/completions.db`);
    try {
      await store.migrate();
      const now = new Date(T0);
      await store.ingest({ batch: Array.from({ length: 4 }, () => request(now)), now });
      const claimed = await store.claim({ destination: 'crm', limit: 4, owner: 'w', leaseMs: 60_000, now });
      expect(claimed).to.have.length(4);
      expect(claimed[0].event.id).to.be.a('string'); // parsed on this side of the thread
      const complete = (id: string, outcome: string) =>
        store.complete({
          deliveryId: id,
          owner: 'w',
          // An outcome the attempts table refuses (CHECK): this completion fails inside the shared transaction.
          attempt: attempt(1, outcome as 'delivered', at(1)),
          next: { state: 'delivered' },
          now: at(1),
        });
      // Completions of different turns are separate batches, all waiting on the thread behind a long ingest.
      const busy = store.ingest({ batch: Array.from({ length: 2_000 }, () => request(now)), now });
      const answers: Array<Promise<boolean>> = [];
      for (const [i, d] of claimed.entries()) {
        answers.push(complete(d.id, i === 1 ? 'bogus' : 'delivered'));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await busy;
      const outcomes = await Promise.allSettled(answers);
      expect(outcomes.map((o) => o.status)).to.deep.equal([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      const states = await Promise.all(
        claimed.map(async (d) => (await store.getDelivery({ id: d.id }))?.state),
      );
      expect(states).to.deep.equal(['delivered', 'sending', 'delivered', 'delivered']);
    } finally {
      await store.close();
    }
  });
});
