import { expect } from 'chai';
import { Metrics } from '../../src/observability/metrics.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { attempt, request } from '../store/fixtures.ts';

/** The queue gauges of /metrics, from a real SQLite store: each scrape says what the store holds then. */
describe('the queue gauges of /metrics', () => {
  const tmp = tempDir('metrics-queue');
  let store: Store;
  before(async () => {
    store = openSqliteStore(`${tmp.dir}/sb.db`);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    tmp.cleanup();
  });

  const sample = (body: string, name: string) =>
    body
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`))
      .sort();

  it('are current on the first scrape after a change, not one scrape behind (found by an attack)', async () => {
    const metrics = new Metrics(() => store, Date.now);
    const now = new Date();
    await store.ingest({ batch: [request(now, { to: ['crm'] }), request(now, { to: ['crm'] })], now });
    const [one] = await store.claim({ destination: 'crm', limit: 1, owner: 'w', leaseMs: 30_000, now });
    await store.complete({
      deliveryId: one.id,
      owner: 'w',
      attempt: attempt(1, 'dead', now, 'HTTP 503'),
      next: { state: 'dead' },
      now,
    });
    const first = (await metrics.render()).body;
    expect(sample(first, 'switchboard_dead_deliveries')).to.deep.equal([
      'switchboard_dead_deliveries{destination="crm"} 1',
    ]);
    expect(sample(first, 'switchboard_queue_depth')).to.deep.equal([
      'switchboard_queue_depth{destination="crm",state="pending"} 1',
    ]);
    expect(sample(first, 'switchboard_queue_oldest_pending_age_seconds')).to.have.length(1);
    await store.replay({ ids: [one.id], now: new Date(), includeDelivered: false });
    const second = (await metrics.render()).body;
    expect(sample(second, 'switchboard_dead_deliveries')).to.deep.equal([]);
    expect(sample(second, 'switchboard_queue_depth')).to.deep.equal([
      'switchboard_queue_depth{destination="crm",state="pending"} 2',
    ]);
  });
});
