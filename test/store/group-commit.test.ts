import { expect } from 'chai';
import { GroupCommitter } from '../../src/store/group-commit.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { SQLiteStore } from '../../src/store/sqlite/store.ts';
import type { IngestRequest } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { request, T0 } from './fixtures.ts';

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
});
