import { userInfo } from 'node:os';
import { expect } from 'chai';
import pg from 'pg';
import { PRUNE_REPLAY_LOCK } from '../../src/store/postgres/db.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { at, attempt, ingestOne } from './fixtures.ts';

const url = process.env.SWITCHBOARD_TEST_PG_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;

describe('store: postgres prune against a concurrent replay', () => {
  const schema = `sb_prune_${process.pid}_${Date.now().toString(36)}`;
  const side = new pg.Pool({ connectionString: url, max: 2 });
  after(async () => {
    await side.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await side.end();
  });

  it('waits for a replay in progress and keeps the replayed delivery and its event', async () => {
    const store = await openPostgresStore({ url, poolSize: 2, schema });
    await store.migrate();
    try {
      const { id } = await ingestOne(store, at(0), { to: ['crm'] });
      const [claimed] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w',
        leaseMs: 30_000,
        now: at(0),
      });
      await store.complete({
        deliveryId: claimed.id,
        owner: 'w',
        attempt: attempt(1, 'failed', at(1), 'no'),
        next: { state: 'failed' },
        now: at(1),
      });

      // A replay caught mid-transaction: it holds the shared lock and has flipped the delivery to pending.
      const replay = await side.connect();
      await replay.query('BEGIN');
      await replay.query(PRUNE_REPLAY_LOCK.replay);
      await replay.query(`UPDATE "${schema}".deliveries SET state = 'pending' WHERE id = $1`, [claimed.id]);

      const pruning = store.prune({ before: at(1_000_000), now: at(1_000_000) });
      // Deterministic, not timed: wait until the prune is seen blocked on the advisory lock.
      for (let polls = 0; ; polls++) {
        const { rows } = await side.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'",
        );
        if (rows[0].n > 0) break;
        if (polls > 1000) throw new Error('prune never waited for the replay in progress');
      }
      await replay.query('COMMIT');
      replay.release();

      expect(await pruning).to.equal(0);
      const detail = await store.getEvent({ id });
      expect(detail?.deliveries.map((d) => d.state)).to.deep.equal(['pending']);
    } finally {
      await store.close();
    }
  });
});
