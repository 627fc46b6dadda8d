import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { StoreThreadError, ThreadedSqliteStore } from '../../src/store/sqlite/threaded.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, attempt, request } from './fixtures.ts';

const LEASE = 60_000;

/** What ThreadedSqliteStore does on its own: completions made in one turn share one commit in the thread. */
describe('store: sqlite on a worker thread, batched completions', () => {
  const tmp = tempDir('sqlite-thread-batching');
  let n = 0;
  let path: string;
  let store: ThreadedSqliteStore;

  beforeEach(async () => {
    path = `${tmp.dir}/${++n}.db`;
    store = new ThreadedSqliteStore(path);
    await store.migrate();
    await store.ingest({
      batch: Array.from({ length: 3 }, () => request(at(0), { to: ['crm'] })),
      now: at(0),
    });
  });
  afterEach(() => store.close());
  after(() => tmp.cleanup());

  const stateOf = async (eventId: string) => (await store.getEvent({ id: eventId }))!.deliveries[0];

  it('answers each completion of one turn on its own: a lost lease is false, the others true', async () => {
    const [a, b, c] = await store.claim({
      destination: 'crm',
      limit: 3,
      owner: 'w1',
      leaseMs: LEASE,
      now: at(1),
    });
    const answers = await Promise.all([
      store.complete({
        deliveryId: a.id,
        owner: 'w1',
        attempt: attempt(1, 'delivered', at(2)),
        next: { state: 'delivered' },
        now: at(3),
      }),
      store.complete({
        deliveryId: b.id,
        owner: 'someone-else',
        attempt: attempt(1, 'delivered', at(2)),
        next: { state: 'delivered' },
        now: at(3),
      }),
      store.complete({
        deliveryId: c.id,
        owner: 'w1',
        attempt: attempt(1, 'dead', at(2), 'gave up'),
        next: { state: 'dead' },
        now: at(3),
      }),
    ]);
    expect(answers).to.deep.equal([true, false, true]);
    expect(await stateOf(a.eventId)).to.include({ state: 'delivered', attempts: 1 });
    expect(await stateOf(b.eventId)).to.include({ state: 'sending', attempts: 0 });
    expect((await stateOf(b.eventId)).attemptLog).to.have.length(1); // the attempt is kept even so
    expect(await stateOf(c.eventId)).to.include({ state: 'dead', lastError: 'gave up' });
  });

  it('rolls back only the completion that failed and commits the rest', async () => {
    const [a, b] = await store.claim({
      destination: 'crm',
      limit: 2,
      owner: 'w1',
      leaseMs: LEASE,
      now: at(1),
    });
    // A fractional attempt number breaks the STRICT table's INTEGER column: that completion alone fails.
    const [bad, good] = await Promise.allSettled([
      store.complete({
        deliveryId: a.id,
        owner: 'w1',
        attempt: attempt(1.5, 'delivered', at(2)),
        next: { state: 'delivered' },
        now: at(3),
      }),
      store.complete({
        deliveryId: b.id,
        owner: 'w1',
        attempt: attempt(1, 'delivered', at(2)),
        next: { state: 'delivered' },
        now: at(3),
      }),
    ]);
    expect(bad.status).to.equal('rejected');
    expect((bad as PromiseRejectedResult).reason).to.be.instanceOf(StoreThreadError);
    expect(good).to.deep.equal({ status: 'fulfilled', value: true });
    expect(await stateOf(a.eventId)).to.include({ state: 'sending', attempts: 0 });
    expect((await stateOf(a.eventId)).attemptLog).to.have.length(0);
    expect(await stateOf(b.eventId)).to.include({ state: 'delivered', attempts: 1 });
  });

  it('commits a completion made just before close(), before the thread ends', async () => {
    const [a] = await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(1) });
    const done = store.complete({
      deliveryId: a.id,
      owner: 'w1',
      attempt: attempt(1, 'delivered', at(2)),
      next: { state: 'delivered' },
      now: at(3),
    });
    await store.close();
    expect(await done).to.equal(true);
    const reopened = openSqliteStore(path);
    try {
      expect((await reopened.getEvent({ id: a.eventId }))!.deliveries[0].state).to.equal('delivered');
    } finally {
      await reopened.close();
    }
    store = new ThreadedSqliteStore(path); // for afterEach
  });
});
