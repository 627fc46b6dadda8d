import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { GatewayProcess } from '../helpers/gateway.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { postSigned } from '../helpers/webhooks.ts';
import { PG_URL, TestSchema, until } from '../scale/pg.ts';
import { TcpProxy } from './tcp-proxy.ts';

const SECRET = 'start-down-secret-0123456789';
const REPLY = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

function config(sinkUrl: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0", token: "\${ADMIN_TOKEN}" }
sources:
  mta: { kind: mta, version: 3, secret: "\${MTA_WEBHOOK_SECRET}" }
store: { driver: postgres, url: "\${DATABASE_URL}", poolSize: 4, connectTimeout: 1s }
plugins: { dirs: [${ROOT}/plugins] }
destinations:
  sink: { type: http, url: "${sinkUrl}/in" }
routes:
  - to: [sink]
`;
}

/** The first "waiting for it" line of a gateway started with its database down; the listeners' URLs are in it. */
async function waitingLine(gw: GatewayProcess, attempt = 1): Promise<{ url: string; admin: string }> {
  const line = await gw.waitForLog(
    (l) => /not reachable yet/.test(String(l.msg)) && Number(l.attempt) >= attempt,
    `a "waiting for the store" line (attempt ${attempt})`,
    30_000,
  );
  return { url: String(line.url), admin: String(line.admin) };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('a gateway started while PostgreSQL is down waits for it', function () {
  this.timeout(120_000);
  let schema: TestSchema;
  let proxy: TcpProxy;
  before(async () => {
    schema = await TestSchema.create('sb_start_down');
    const shared = new URL(schema.url);
    proxy = await TcpProxy.start(shared.hostname, Number(shared.port || 5432));
  });
  after(async () => {
    await proxy.close();
    await schema.drop();
  });

  it('answers 503 (and /healthz 200) while it waits, then starts by itself and delivers', async () => {
    const sink = await Sink.start();
    const tmp = tempDir('pg-start-down');
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    url.password = 'pg-pass-word-1234';
    proxy.refuse();
    const gw = new GatewayProcess(tmp.write('gw.yaml', config(sink.url)), {
      DATABASE_URL: url.toString(),
      MTA_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    });
    try {
      const at = await waitingLine(gw, 2);
      expect(gw.child.exitCode).to.equal(null);
      expect((await get(`${at.url}/healthz`)).status).to.equal(200);
      const pub = await get(`${at.url}/readyz`);
      expect(pub.status).to.equal(503);
      expect(pub.json).to.deep.equal({
        status: 'not ready',
        reasons: ['store unavailable (unreachable)', 'delivery workers are not started yet'],
      });
      const admin = await get(`${at.admin}/readyz`);
      expect(admin.status).to.equal(503);
      expect(JSON.stringify(admin.json)).to.match(/"attempts":\d+/);
      const api = await get(`${at.admin}/api/events`, {
        authorization: 'Bearer admin-token-0123456789abcdef',
      });
      expect(api.status).to.equal(503);
      expect(String(api.json.error)).to.match(/waiting for its event store/);
      const early = await postSigned(at.url, SECRET, { ...REPLY, replyId: 91 });
      expect(early.status).to.equal(503);
      expect(await early.json()).to.deep.equal({ error: 'the event store is unavailable; retry later' });
      // The log names the store without its password, and says what it does meanwhile.
      const waiting = gw.lines.find((l) => /not reachable yet/.test(String(l.msg)))!;
      expect(String(waiting.msg)).to.contain(`PostgreSQL at 127.0.0.1:${proxy.port}/test`);
      expect(gw.raw.join('\n')).not.to.contain('pg-pass-word-1234');

      proxy.heal();
      await gw.waitForLog((l) => l.msg === 'switchboard listening', 'the start to finish', 30_000);
      expect((await get(`${at.url}/readyz`)).status).to.equal(200);
      const res = await postSigned(at.url, SECRET, { ...REPLY, replyId: 92 });
      expect(res.status).to.equal(200);
      const { id } = (await res.json()) as { id: string };
      await sink.waitFor(
        () => sink.requests.some((r) => (JSON.parse(r.body) as { id: string }).id === id),
        'the webhook taken after the wait at the sink',
      );
    } finally {
      proxy.heal();
      await gw.stop();
      await sink.stop();
      tmp.cleanup();
    }
  });

  it('stops at once, exit 0, when told to while it waits', async () => {
    const tmp = tempDir('pg-start-down-stop');
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    proxy.refuse();
    const gw = new GatewayProcess(tmp.write('gw.yaml', config('http://127.0.0.1:9')), {
      DATABASE_URL: url.toString(),
      MTA_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    });
    try {
      await waitingLine(gw);
      expect(await gw.stop()).to.equal(0);
      expect(gw.raw.join('\n')).to.contain('stopped while waiting for the event store');
    } finally {
      proxy.heal();
      await gw.stop();
      tmp.cleanup();
    }
  });

  /** Takes the migration lock of the test's schema on a session of its own, as another instance migrating does. */
  async function holdMigrationLock(): Promise<pg.Client> {
    const holder = new pg.Client({ connectionString: PG_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `switchboard.migrate.${schema.name}`,
    ]);
    return holder;
  }

  /** Until the gateway (application_name `<schema>_gw`) has a session: its start has reached migrate(). */
  function gatewayConnected(): Promise<void> {
    return until(
      // Asked on another session: a transaction sees pg_stat_activity as it was at its first look.
      async () =>
        (
          await schema.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
            `${schema.name}_gw`,
          ])
        ).length > 0,
      'the gateway connected (to migrate: its first use of the store)',
      30_000,
    );
  }

  it('stops at once, exit 0, when told to while its start waits for another instance to finish migrating', async function () {
    // Without the fix the stop waited for the lock: the test ran into its timeout.
    this.timeout(45_000);
    // Another instance (here: this session) holds the migration lock of the gateway's schema, so the gateway's
    // start blocks inside its store's migrate(). A deploy cancelled then must stop, not wait for that lock.
    const tmp = tempDir('pg-start-migrating-stop');
    const url = new URL(PG_URL);
    url.searchParams.set('application_name', `${schema.name}_gw`);
    const holder = await holdMigrationLock();
    const gw = new GatewayProcess(
      tmp.write(
        'gw.yaml',
        config('http://127.0.0.1:9').replace('poolSize: 4', `poolSize: 4, schema: ${schema.name}`),
      ),
      {
        DATABASE_URL: url.toString(),
        MTA_WEBHOOK_SECRET: SECRET,
        ADMIN_TOKEN: 'admin-token-0123456789abcdef',
      },
    );
    try {
      await gatewayConnected();
      expect(await gw.stop()).to.equal(0);
      expect(gw.raw.join('\n')).to.contain('stopped while waiting for the event store');
    } finally {
      await holder.end();
      await gw.signal('SIGKILL');
      tmp.cleanup();
    }
  });

  it('notices a connection gone silent while its start waits for another instance to migrate, and starts once it answers', async () => {
    // The gateway's migration waits for the lock through the proxy; the network then drops everything without a
    // reset (a NAT entry gone, a partition) and the lock is released. The grant never reaches the gateway: the
    // start must give that try up within the store's timeouts and try again, not wait for it for an hour.
    const sink = await Sink.start();
    const tmp = tempDir('pg-start-migrating-silent');
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    url.searchParams.set('application_name', `${schema.name}_gw`);
    const holder = await holdMigrationLock();
    const gw = new GatewayProcess(
      tmp.write(
        'gw.yaml',
        config(sink.url).replace(
          'connectTimeout: 1s',
          `connectTimeout: 1s, statementTimeout: 1s, schema: ${schema.name}`,
        ),
      ),
      {
        DATABASE_URL: url.toString(),
        MTA_WEBHOOK_SECRET: SECRET,
        ADMIN_TOKEN: 'admin-token-0123456789abcdef',
      },
    );
    try {
      await gatewayConnected();
      proxy.blackhole();
      await holder.query('COMMIT');
      const silent = await gw.waitForLog(
        (l) => /not reachable yet/.test(String(l.msg)),
        'the start to give up the silent try',
        30_000,
      );
      expect(silent.cause).to.equal('timeout');
      proxy.heal();
      const listening = await gw.waitForLog(
        (l) => l.msg === 'switchboard listening',
        'the start to finish',
        30_000,
      );
      const res = await postSigned(String(listening.url), SECRET, { ...REPLY, replyId: 93 });
      expect(res.status).to.equal(200);
    } finally {
      proxy.heal();
      await holder.end();
      await gw.signal('SIGKILL');
      await sink.stop();
      tmp.cleanup();
    }
  });

  it('exits with the error when waiting would not help (a database that does not exist)', async () => {
    const tmp = tempDir('pg-start-missing-db');
    const url = new URL(PG_URL);
    url.pathname = '/switchboard_no_such_database';
    const gw = new GatewayProcess(tmp.write('gw.yaml', config('http://127.0.0.1:9')), {
      DATABASE_URL: url.toString(),
      MTA_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    });
    try {
      const code = await new Promise<number | null>((resolve) => gw.child.once('exit', resolve));
      expect(code).to.equal(1);
      expect(gw.raw.join('\n')).to.contain('database "switchboard_no_such_database" does not exist');
      expect(gw.raw.join('\n')).not.to.match(/not reachable yet/);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });
});
