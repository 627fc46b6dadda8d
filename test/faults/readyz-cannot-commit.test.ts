import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { GatewayProcess } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { postSigned } from '../helpers/webhooks.ts';
import { PG_URL, TestSchema } from '../scale/pg.ts';
import { until } from './stream.ts';

const SECRET = 'cannot-commit-secret-0123456789';
/** In the gateway's DATABASE_URL: trust auth ignores it, and no answer may show it. */
const PASSWORD = 'pw-never-shown-4711';
const reply = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));
let seq = 0;
/** A distinct signed reply (no dedupe hit), as MTA would send it. */
const webhook = (gw: GatewayProcess) =>
  postSigned(gw.url, SECRET, { ...reply, replyId: 9_000_000 + ++seq, message: `cannot commit ${seq}` });

/** /readyz on the public port (status and reasons) and on the admin listener (every check). */
async function readyz(gw: GatewayProcess, on: 'public' | 'admin' = 'public') {
  const res = await fetch(`${on === 'public' ? gw.url : gw.adminUrl}/readyz`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as { reasons?: string[] } };
}

/** A gateway on PostgreSQL at `url` (its password set to PASSWORD), with short store timeouts. */
function startPgGateway(tmp: ReturnType<typeof tempDir>, url: URL): Promise<GatewayProcess> {
  url.password = PASSWORD;
  const config = `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "${SECRET}" }
store: { driver: postgres, url: "\${DATABASE_URL}", poolSize: 4, connectTimeout: 1s, statementTimeout: 2s }
plugins: { dirs: [${ROOT}/plugins] }
routes: []
`;
  return GatewayProcess.start(tmp.write('gw.yaml', config), { DATABASE_URL: url.toString() });
}

describe('/readyz while the store answers SELECT 1 but cannot commit', function () {
  this.timeout(120_000);

  describe('PostgreSQL: another session holds a lock on a table ingest writes', () => {
    let schema: TestSchema;
    let gw: GatewayProcess | undefined;
    let locker: pg.Client | undefined;
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(async () => {
      schema = await TestSchema.create('readyz_commit');
      tmp = tempDir('readyz-commit');
      gw = await startPgGateway(tmp, new URL(schema.url));
      locker = new pg.Client({ connectionString: schema.url });
      await locker.connect();
    });
    afterEach(async () => {
      // Whatever happened, the lock goes: the gateway stops and the schema drops without waiting on it.
      await locker?.query('ROLLBACK').catch(() => {});
      await locker?.end().catch(() => {});
      await gw?.stop();
      await schema.drop();
      tmp.cleanup();
    });

    /** Takes the lock the outside fault test took, in a transaction left open. */
    const lock = async (table: string) => {
      await locker!.query('BEGIN');
      await locker!.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    };

    it('answers 503 naming the store and the lock while webhooks get 503, and 200 once the lock is released', async () => {
      expect((await webhook(gw!)).status).to.equal(200);
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 before the lock', 30_000);

      await lock('events');
      // The fault the outside test saw: webhooks are refused...
      expect((await webhook(gw!)).status).to.equal(503);
      // ...and /readyz must say so, not keep answering ready.
      await until(async () => (await readyz(gw!)).status === 503, '/readyz 503 during the lock', 30_000);
      const unready = await readyz(gw!);
      expect(unready.body.reasons).to.deep.equal(['store cannot write (locked)']);
      const details = await readyz(gw!, 'admin');
      expect(details.status).to.equal(503);
      for (const answer of [unready.text, details.text]) {
        expect(answer).to.not.include(PASSWORD);
        expect(answer).to.not.include('postgres://');
      }

      await locker!.query('ROLLBACK');
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 after the lock', 30_000);
      expect((await webhook(gw!)).status).to.equal(200);
    });

    it('answers 503 while the lock is held even when no webhook arrives to fail', async () => {
      expect((await webhook(gw!)).status).to.equal(200);
      await lock('dedupe');
      // No traffic at all: the last commit grows old, and readiness proves a commit itself (bounded).
      await until(async () => (await readyz(gw!)).status === 503, '/readyz 503 during the lock', 60_000);
      expect((await readyz(gw!)).body.reasons).to.deep.equal(['store cannot write (locked)']);
      await locker!.query('ROLLBACK');
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 after the lock', 30_000);
      const left = await schema.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM paused WHERE destination LIKE 'switchboard:%'",
      );
      expect(left[0].n, 'the write probe leaves nothing behind').to.equal(0);
    });
  });

  describe('PostgreSQL: the primary turns read-only (a failover to a standby, default_transaction_read_only)', () => {
    let schema: TestSchema;
    let role: string;
    let gw: GatewayProcess | undefined;
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(async () => {
      schema = await TestSchema.create('readyz_ro');
      tmp = tempDir('readyz-ro');
      // A role of the test's own, so that making its sessions read-only touches no one else on the server.
      role = `${schema.name}_gw`;
      await schema.query(`CREATE ROLE "${role}" LOGIN`);
      await schema.query(`ALTER SCHEMA "${schema.name}" OWNER TO "${role}"`);
      const url = new URL(schema.url);
      url.username = role;
      gw = await startPgGateway(tmp, url);
    });
    afterEach(async () => {
      await gw?.stop();
      await schema.drop();
      await new pg.Client({ connectionString: PG_URL }).connect().then(async (c) => {
        await c.query(`DROP ROLE IF EXISTS "${role}"`).finally(() => c.end());
      });
      tmp.cleanup();
    });

    /** New sessions of the gateway's role start read-only (or not), and its current ones are ended. */
    const readOnly = async (on: boolean) => {
      await schema.query(
        on
          ? `ALTER ROLE "${role}" SET default_transaction_read_only = on`
          : `ALTER ROLE "${role}" RESET default_transaction_read_only`,
      );
      await schema.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    };

    it('answers 503 naming the read-only store while commits fail, and 200 once it takes writes again', async () => {
      expect((await webhook(gw!)).status).to.equal(200);
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 before', 30_000);
      await readOnly(true);
      await until(async () => (await webhook(gw!)).status === 503, 'webhooks refused', 30_000);
      await until(
        async () => JSON.stringify((await readyz(gw!)).body.reasons) === '["store cannot write (read_only)"]',
        '/readyz 503 naming the read-only store',
        30_000,
      );
      expect((await readyz(gw!)).status).to.equal(503);
      await readOnly(false);
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 once writable', 30_000);
      expect((await webhook(gw!)).status).to.equal(200);
    });
  });

  describe('SQLite: another process holds the write lock', () => {
    let tmp: ReturnType<typeof tempDir>;
    let gw: GatewayProcess | undefined;
    let holder: Database.Database | undefined;
    beforeEach(async () => {
      tmp = tempDir('readyz-commit-sqlite');
      gw = await GatewayProcess.start(
        tmp.write('gw.yaml', testConfig(tmp.dir, 'routes: []\n', { secret: SECRET })),
      );
    });
    afterEach(async () => {
      if (holder?.inTransaction) holder.exec('ROLLBACK');
      holder?.close();
      await gw?.stop();
      tmp.cleanup();
    });

    it('answers 503 while the lock is held, with or without webhooks failing, and 200 once it is released', async () => {
      expect((await webhook(gw!)).status).to.equal(200);
      holder = new Database(join(tmp.dir, 'switchboard.db'));
      holder.exec('BEGIN IMMEDIATE');
      await until(async () => (await readyz(gw!)).status === 503, '/readyz 503 with no webhook', 60_000);
      expect((await readyz(gw!)).body.reasons?.join('; ')).to.match(
        /^store cannot write \((locked|timeout)\)$/,
      );
      expect((await webhook(gw!)).status).to.equal(503);
      await until(
        async () => JSON.stringify((await readyz(gw!)).body.reasons) === '["store cannot write (locked)"]',
        '/readyz naming the lock',
        30_000,
      );
      holder.exec('ROLLBACK');
      await until(async () => (await readyz(gw!)).status === 200, '/readyz 200 after the lock', 30_000);
      expect((await webhook(gw!)).status).to.equal(200);
    });
  });
});
