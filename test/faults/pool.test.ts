import { expect } from 'chai';
import { inTransaction } from '../../src/store/postgres/db.ts';
import { isConnectionLoss, ResilientPool, StoreUnavailableError } from '../../src/store/postgres/pool.ts';
import { PG_URL } from '../scale/pg.ts';
import { TcpProxy } from './tcp-proxy.ts';

describe('the PostgreSQL pool survives lost and hung connections', function () {
  this.timeout(30_000);
  let proxy: TcpProxy;
  let pool: ResilientPool;
  const lost: Error[] = [];

  beforeEach(async () => {
    const target = new URL(PG_URL);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    lost.length = 0;
    pool = new ResilientPool(
      { connectionString: url.toString(), max: 2 },
      { connectTimeoutMs: 500, statementTimeoutMs: 1_000, idleInTransactionTimeoutMs: 2_000 },
      { connectionError: (err) => lost.push(err) },
    );
  });
  afterEach(async () => {
    proxy.heal();
    await pool.end();
    await proxy.close();
  });

  it('reports a connection cut while a client is checked out instead of crashing, and serves again', async () => {
    const client = await pool.connect();
    await client.query('SELECT 1');
    proxy.cut();
    const failure = await client.query('SELECT 1').then(
      () => null,
      (e: Error) => e,
    );
    client.release(failure ?? undefined);
    expect(failure, 'the query on the cut connection fails').to.be.an('error');
    expect(isConnectionLoss(failure)).to.equal(true);
    expect(lost.length).to.be.at.least(1);
    const { rows } = await pool.query('SELECT 2 AS two');
    expect(rows[0].two).to.equal(2);
  });

  it('reports an idle connection lost without the client attached (its parameters hold the password)', async () => {
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    url.password = 'pw-never-logged-123';
    const withPassword = new ResilientPool(
      { connectionString: url.toString(), max: 1 },
      { connectTimeoutMs: 500, statementTimeoutMs: 1_000, idleInTransactionTimeoutMs: 2_000 },
      { connectionError: (err) => lost.push(err) },
    );
    try {
      await withPassword.query('SELECT 1'); // the client is idle in the pool now
      proxy.cut();
      for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lost.length).to.be.at.least(1);
      for (const err of lost) {
        expect(err).to.not.have.property('client');
        expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).to.not.include(
          'pw-never-logged',
        );
      }
    } finally {
      await withPassword.end();
    }
  });

  it('fails a transaction on a cut connection at once, without waiting for a ROLLBACK answer', async () => {
    const failure = await inTransaction(pool, async (client) => {
      await client.query('SELECT 1');
      proxy.cut();
      await client.query('SELECT 1');
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(isConnectionLoss(failure)).to.equal(true);
    expect((await pool.query('SELECT 3 AS three')).rows[0].three).to.equal(3);
  });

  it('gives up on a database that never answers, then fails fast while it backs off, and recovers', async () => {
    await pool.query('SELECT 1');
    proxy.hang();
    // A pooled connection: the read timeout (statement timeout + 2 s) ends the wait.
    const onPooled = await pool.query('SELECT 1').then(
      () => null,
      (e: Error) => e,
    );
    expect(onPooled?.message).to.match(/Query read timeout|timeout/);
    // A new connection: the connect timeout ends the wait, and the pool backs off.
    const onNew = await pool.query('SELECT 1').then(
      () => null,
      (e: Error) => e,
    );
    expect(onNew?.message).to.match(/timeout/);
    const fast = await pool.query('SELECT 1').then(
      () => null,
      (e: Error) => e,
    );
    expect(fast).to.be.instanceOf(StoreUnavailableError);
    proxy.heal();
    let answer: number | undefined;
    for (let i = 0; i < 100 && answer === undefined; i++) {
      answer = await pool.query('SELECT 4 AS four').then(
        (r) => r.rows[0].four as number,
        () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
      );
    }
    expect(answer).to.equal(4);
  });
});
