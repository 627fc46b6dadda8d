import { expect } from 'chai';
import pg from 'pg';
import { TestSchema } from '../scale/pg.ts';
import { startGateway } from '../sources/service.ts';

describe('/readyz while a PostgreSQL table is locked (found by an attack: it hung for as long as the lock)', function () {
  this.timeout(60_000);

  it('answers while the lock is held, on the public and the admin listener', async () => {
    const schema = await TestSchema.create('readyz_lock');
    const gw = await startGateway(
      `sources:
  mta: { kind: mta, secret: "readyz-lock-secret-0123456789" }
routes: []`,
      // A statement timeout far past the request's abort: without the bound, /readyz waits out the lock.
      { store: `{ driver: postgres, url: "${schema.url}", statementTimeout: 60s }` },
    );
    const locker = new pg.Client({ connectionString: schema.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE');
      for (const base of [gw.url, `http://127.0.0.1:${gw.service.adminAddress.port}`]) {
        // The store ping and the queue query are each bounded at 2 s; the lock would hold them 60 s.
        const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(20_000) });
        expect([200, 503], base).to.include(res.status);
        await res.text();
      }
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await gw.stop();
      await schema.drop();
    }
  });
});
