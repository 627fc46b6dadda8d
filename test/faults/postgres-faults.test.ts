import { expect } from 'chai';
import pg from 'pg';
import { GatewayProcess } from '../helpers/gateway.ts';
import { Sink, type SinkRequest } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { TestSchema } from '../scale/pg.ts';
import { PrivatePostgres, privatePgUnavailable } from './pg-instance.ts';
import { type StreamFigures, until, WebhookStream } from './stream.ts';
import { TcpProxy } from './tcp-proxy.ts';

const SECRET = 'fault-test-secret-0123456789';
/** Webhooks per second in the stream (the machine is shared: modest, but enough to have work in flight). */
const RATE = Number(process.env.SWITCHBOARD_FAULT_RATE ?? 150);
/** The gateway's store timeouts in these tests; a webhook must be answered well within their sum. */
const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 2_000;

function gatewayConfig(sink: Sink): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "\${MTA_WEBHOOK_SECRET}" }
store:
  driver: postgres
  url: "\${DATABASE_URL}"
  poolSize: 6
  connectTimeout: ${CONNECT_TIMEOUT_MS}ms
  statementTimeout: ${STATEMENT_TIMEOUT_MS}ms
  idleInTransactionTimeout: 5s
plugins: { dirs: [${ROOT}/plugins] }
delivery: { backoff: { initial: 50ms, max: 1s }, timeout: 2s, concurrency: 8 }
destinations:
  sink: { type: http, url: "${sink.url}/in", signingSecret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=" }
routes:
  - to: [sink]
`;
}

const eventIdOf = (r: SinkRequest) => (JSON.parse(r.body) as { id: string }).id;
const deliveryIdOf = (r: SinkRequest) => String(r.headers['webhook-id']);

/** The figures the issue asks for, printed for the report. */
function report(name: string, f: StreamFigures, sink: Sink): { delivered: number; duplicates: number } {
  const delivered = new Set(sink.requests.map(eventIdOf));
  const duplicates = sink.requests.length - new Set(sink.requests.map(deliveryIdOf)).size;
  const other = [...f.other].map(([s, n]) => `${s}:${n}`).join(' ') || 'none';
  console.log(
    `      [${name}] sent ${f.sent}, acked ${f.acked.size}, 503 ${f.unavailable}, other ${other}, ` +
      `delivered ${[...f.acked].filter((id) => delivered.has(id)).length}, duplicates ${duplicates}, ` +
      `longest answer ${Math.round(f.longestMs)} ms`,
  );
  return { delivered: delivered.size, duplicates };
}

/** Every acked event reaches the sink, and the store holds nothing unfinished. */
async function expectAllDelivered(f: StreamFigures, sink: Sink, unfinished: () => Promise<number>) {
  const received = () => new Set(sink.requests.map(eventIdOf));
  await sink.waitFor(
    () => {
      const got = received();
      return [...f.acked].every((id) => got.has(id));
    },
    `all ${f.acked.size} acknowledged events at the sink`,
    90_000,
  );
  await until(async () => (await unfinished()) === 0, 'no delivery left pending or sending', 60_000);
}

function expectAlive(gw: GatewayProcess): void {
  expect(gw.child.exitCode, `gateway exited:\n${gw.raw.slice(-15).join('\n')}`).to.equal(null);
  expect(
    gw.raw.filter((l) => /Unhandled 'error'|uncaught exception|unhandled promise/i.test(l)),
  ).to.deep.equal([]);
}

describe('store faults with PostgreSQL: the gateway keeps serving', function () {
  this.timeout(240_000);

  describe('a PostgreSQL restart under a stream of webhooks', () => {
    let server: PrivatePostgres | undefined;
    before(async function () {
      const why = privatePgUnavailable();
      if (why) {
        console.log(`      skipped: cannot run a private PostgreSQL to restart (${why})`);
        this.skip();
      }
      server = await PrivatePostgres.start();
    });
    after(() => server?.remove());

    it('stays up, answers 503 while PostgreSQL is away, recovers by itself and delivers every acked event', async () => {
      const sink = await Sink.start();
      const tmp = tempDir('pg-restart');
      const gw = await GatewayProcess.start(tmp.write('gw.yaml', gatewayConfig(sink)), {
        DATABASE_URL: server!.url,
        MTA_WEBHOOK_SECRET: SECRET,
      });
      const db = new pg.Pool({ connectionString: server!.url, max: 1 });
      db.on('error', () => {});
      const stream = new WebhookStream(gw.url, SECRET, RATE).start();
      try {
        await until(() => stream.ackedCount >= RATE * 3, 'three seconds of acked webhooks', 60_000);
        for (let i = 0; i < 2; i++) {
          const before = stream.ackedCount;
          await server!.restart(1_500);
          await until(() => stream.ackedCount >= before + RATE * 2, 'acks again after the restart', 60_000);
        }
        const figures = await stream.stop();
        expectAlive(gw);
        expect(figures.unavailable + figures.acked.size, 'every webhook answered 200 or 503').to.equal(
          figures.sent,
        );
        expect(figures.longestMs).to.be.below(15_000);
        await expectAllDelivered(figures, sink, async () => {
          const { rows } = await db.query(
            `SELECT COUNT(*)::int AS n FROM deliveries WHERE state IN ('pending', 'sending')`,
          );
          return rows[0].n;
        });
        report('postgres restart x2', figures, sink);
        expectAlive(gw);
        // The restart was noticed and logged as a store fault, not a crash.
        expect(
          gw.lines.some((l) => l.msg === 'store connection lost or refused; reconnecting with backoff'),
        ).to.equal(true);
      } finally {
        await stream.stop();
        await gw.stop();
        await db.end();
        await sink.stop();
        tmp.cleanup();
      }
    });
  });

  describe('connections through a TCP proxy the test controls (cut, refused, hung)', () => {
    let schema: TestSchema;
    let proxy: TcpProxy;
    before(async () => {
      schema = await TestSchema.create('sb_fault_proxy');
      const shared = new URL(schema.url);
      proxy = await TcpProxy.start(shared.hostname, Number(shared.port || 5432));
    });
    after(async () => {
      await proxy.close();
      await schema.drop();
    });

    it('reconnects with backoff while the database is down, instead of a connection attempt per request', async () => {
      const sink = await Sink.start();
      const tmp = tempDir('pg-refuse');
      const url = new URL(schema.url);
      url.port = String(proxy.port);
      const gw = await GatewayProcess.start(tmp.write('gw.yaml', gatewayConfig(sink)), {
        DATABASE_URL: url.toString(),
        MTA_WEBHOOK_SECRET: SECRET,
      });
      const stream = new WebhookStream(gw.url, SECRET, RATE).start();
      try {
        await until(() => stream.ackedCount >= RATE, 'a second of acked webhooks', 60_000);
        proxy.refuse();
        const attemptsBefore = proxy.accepted;
        const refusedBefore = stream.figures.unavailable;
        await until(
          () => stream.figures.unavailable >= refusedBefore + RATE * 3,
          '3 s worth of 503s',
          60_000,
        );
        const attempts = proxy.accepted - attemptsBefore;
        const refused = stream.figures.unavailable - refusedBefore;
        proxy.heal();
        const ackedAtHeal = stream.ackedCount;
        await until(
          () => stream.ackedCount >= ackedAtHeal + RATE,
          'acks again once the database is back',
          60_000,
        );
        const figures = await stream.stop();
        console.log(
          `      [proxy refuse] ${refused} webhooks answered 503 with ${attempts} connection attempts`,
        );
        // Backoff (100 ms doubling to 5 s) over ~3 s allows a handful of rounds of at most poolSize (6) each.
        expect(attempts, 'connection attempts while the database was down').to.be.below(refused / 4);
        expectAlive(gw);
        await expectAllDelivered(figures, sink, async () => {
          const rows = await schema.query<{ n: number }>(
            `SELECT COUNT(*)::int AS n FROM deliveries WHERE state IN ('pending', 'sending')`,
          );
          return rows[0].n;
        });
        report('proxy refuse', figures, sink);
      } finally {
        await stream.stop();
        proxy.heal();
        await gw.stop();
        await sink.stop();
        tmp.cleanup();
      }
    });

    it('logs each worker’s store errors once when an outage starts, not once a second per destination', async () => {
      const sink = await Sink.start();
      const tmp = tempDir('pg-worker-errors');
      const url = new URL(schema.url);
      url.port = String(proxy.port);
      const three = gatewayConfig(sink)
        .replace(
          /( {2}sink: .*\n)/,
          `$1  sink2: { type: http, url: "${sink.url}/in2" }\n  sink3: { type: http, url: "${sink.url}/in3" }\n`,
        )
        .replace('to: [sink]', 'to: [sink, sink2, sink3]');
      const gw = await GatewayProcess.start(tmp.write('gw.yaml', three), {
        DATABASE_URL: url.toString(),
        MTA_WEBHOOK_SECRET: SECRET,
      });
      const errors = () =>
        gw.lines.filter((l) => /delivery worker error|could not read the pauses/.test(String(l.msg)));
      try {
        proxy.refuse();
        // Five connection attempts, 100 ms doubling: over 3 s in which each worker (polling every 200 ms here)
        // and the pauses' refresh failed about fifteen times each.
        const attemptsBefore = proxy.accepted;
        await until(() => proxy.accepted >= attemptsBefore + 5, 'five refused connection attempts', 60_000);
        expectAlive(gw);
        const byDestination = new Map<string, number>();
        for (const l of errors())
          byDestination.set(String(l.destination), (byDestination.get(String(l.destination)) ?? 0) + 1);
        expect(Object.fromEntries(byDestination)).to.deep.equal({ sink: 1, sink2: 1, sink3: 1, '*': 1 });
        expect(errors().find((l) => l.destination === '*')?.msg).to.equal(
          'could not read the pauses; retrying',
        );
        proxy.heal();
        await until(
          async () => (await fetch(`${gw.url}/readyz`)).status === 200,
          '/readyz 200 once the database is back',
          30_000,
        );
      } finally {
        proxy.heal();
        await gw.stop();
        await sink.stop();
        tmp.cleanup();
      }
    });

    it('answers 503 within the configured timeouts while the proxy hangs, and recovers once it forwards again', async () => {
      const sink = await Sink.start();
      const tmp = tempDir('pg-proxy');
      const url = new URL(schema.url);
      url.port = String(proxy.port);
      const gw = await GatewayProcess.start(tmp.write('gw.yaml', gatewayConfig(sink)), {
        DATABASE_URL: url.toString(),
        MTA_WEBHOOK_SECRET: SECRET,
      });
      const stream = new WebhookStream(gw.url, SECRET, RATE).start();
      const readyz = async () => {
        const res = await fetch(`${gw.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
        return { status: res.status, body: (await res.json()) as { reasons: string[] } };
      };
      try {
        await until(() => stream.ackedCount >= RATE * 2, 'two seconds of acked webhooks', 60_000);
        // Cut: every connection dropped mid-stream, three times.
        for (let i = 0; i < 3; i++) {
          proxy.cut();
          const before = stream.ackedCount;
          await until(() => stream.ackedCount >= before + RATE, 'acks again after the cut', 60_000);
        }
        expectAlive(gw);
        // Hang: the database accepts and never answers.
        proxy.hang();
        const unavailableBefore = stream.figures.unavailable;
        await until(() => stream.figures.unavailable >= unavailableBefore + RATE, '503s while hung', 60_000);
        const hung = await readyz();
        expect(hung.status).to.equal(503);
        expect(hung.body.reasons.join('; ')).to.match(/store/);
        expect(JSON.stringify(hung.body), 'no internal address without the admin token').to.not.include(
          '127.0.0.1',
        );
        proxy.heal();
        const ackedAtHeal = stream.ackedCount;
        await until(() => stream.ackedCount >= ackedAtHeal + RATE * 2, 'acks again after healing', 60_000);
        await until(async () => (await readyz()).status === 200, '/readyz 200 again', 30_000);
        const figures = await stream.stop();
        expectAlive(gw);
        expect(figures.unavailable + figures.acked.size, 'every webhook answered 200 or 503').to.equal(
          figures.sent,
        );
        expect(figures.longestMs, 'longest wait for an answer').to.be.below(15_000);
        await expectAllDelivered(figures, sink, async () => {
          const rows = await schema.query<{ n: number }>(
            `SELECT COUNT(*)::int AS n FROM deliveries WHERE state IN ('pending', 'sending')`,
          );
          return rows[0].n;
        });
        report('proxy cut x3 + hang', figures, sink);
      } finally {
        await stream.stop();
        proxy.heal();
        await gw.stop();
        await sink.stop();
        tmp.cleanup();
      }
    });
  });
});
