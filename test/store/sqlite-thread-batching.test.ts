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
    await store.ingest(
      Array.from({ length: 3 }, () => request(at(0), { to: ['crm'] })),
      at(0),
    );
  });
  afterEach(() => store.close());
  after(() => tmp.cleanup());

  const stateOf = async (eventId: string) => (await store.getEvent(eventId))!.deliveries[0];

  it('answers each completion of one turn on its own: a lost lease is false, the others true', async () => {
    const [a, b, c] = await store.claim('crm', 3, 'w1', LEASE, at(1));
    const answers = await Promise.all([
      store.complete(a.id, 'w1', attempt(1, 'delivered', at(2)), { state: 'delivered' }, at(3)),
      store.complete(b.id, 'someone-else', attempt(1, 'delivered', at(2)), { state: 'delivered' }, at(3)),
      store.complete(c.id, 'w1', attempt(1, 'dead', at(2), 'gave up'), { state: 'dead' }, at(3)),
    ]);
    expect(answers).to.deep.equal([true, false, true]);
    expect(await stateOf(a.eventId)).to.include({ state: 'delivered', attempts: 1 });
    expect(await stateOf(b.eventId)).to.include({ state: 'sending', attempts: 0 });
    expect((await stateOf(b.eventId)).attemptLog).to.have.length(1); // the attempt is kept even so
    expect(await stateOf(c.eventId)).to.include({ state: 'dead', lastError: 'gave up' });
  });

  it('rolls back only the completion that failed and commits the rest', async () => {
    const [a, b] = await store.claim('crm', 2, 'w1', LEASE, at(1));
    // A fractional attempt number breaks the STRICT table's INTEGER column: that completion alone fails.
    const [bad, good] = await Promise.allSettled([
      store.complete(a.id, 'w1', attempt(1.5, 'delivered', at(2)), { state: 'delivered' }, at(3)),
      store.complete(b.id, 'w1', attempt(1, 'delivered', at(2)), { state: 'delivered' }, at(3)),
    ]);
    expect(bad.status).to.equal('rejected');
    expect((bad as PromiseRejectedResult).reason).to.be.instanceOf(StoreThreadError);
    expect(good).to.deep.equal({ status: 'fulfilled', value: true });
    expect(await stateOf(a.eventId)).to.include({ state: 'sending', attempts: 0 });
    expect((await stateOf(a.eventId)).attemptLog).to.have.length(0);
    expect(await stateOf(b.eventId)).to.include({ state: 'delivered', attempts: 1 });
  });

  it('commits a completion made just before close(), before the thread ends', async () => {
    const [a] = await store.claim('crm', 1, 'w1', LEASE, at(1));
    const done = store.complete(a.id, 'w1', attempt(1, 'delivered', at(2)), { state: 'delivered' }, at(3));
    await store.close();
    expect(await done).to.equal(true);
    const reopened = openSqliteStore(path);
    try {
      expect((await reopened.getEvent(a.eventId))!.deliveries[0].state).to.equal('delivered');
    } finally {
      await reopened.close();
    }
    store = new ThreadedSqliteStore(path); // for afterEach
  });
});
