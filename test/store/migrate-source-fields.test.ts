import { userInfo } from 'node:os';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { createLogger } from '../../src/observability/log.ts';
import { Service } from '../../src/service.ts';
import { sampleEvent } from '../../src/sources/mta/index.ts';
import { loadMigrations } from '../../src/store/migrations.ts';
import { LogCapture } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

/**
 * The source_fields migration (sources are plugins): a store written by the version before it, with MTA's status copied in
 * the events.status_name column, is migrated on open, keeps every event, still filters by status, and its
 * pending deliveries are delivered.
 */

const url = process.env.SWITCHBOARD_TEST_PG_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
/** The migrations of the version before this one: every file numbered below `source_fields`. */
function previousVersion(dialect: 'sqlite' | 'postgres') {
  const all = loadMigrations(new URL(`../../src/store/${dialect}/migrations/`, import.meta.url));
  const ours = all.find((m) => m.name === 'source_fields');
  if (ours === undefined) throw new Error('no source_fields migration');
  return { earlier: all.filter((m) => m.version < ours.version), last: all[all.length - 1].version };
}

/** Two events as the previous version stored them: a failed delivery status and a reply, each pending to crm. */
// A minute ago, not a fixed date: events older than store.retention (7 d) are pruned as soon as their deliveries
// finish, which raced the status-filter check below.
const WRITTEN_AT = Date.now() - 60_000;

function oldRows() {
  const now = WRITTEN_AT;
  const events = [
    sampleEvent('delivery-status', 3, {
      id: '01KAAAAAAAAAAAAAAAAAAAAAA1',
      receivedAt: new Date(now).toISOString(),
    }),
    sampleEvent('message-reply', 3, {
      id: '01KAAAAAAAAAAAAAAAAAAAAAA2',
      receivedAt: new Date(now).toISOString(),
    }),
  ];
  return events.map((event, i) => ({
    event,
    statusName: (event.status as { name: string } | undefined)?.name ?? null,
    deliveryId: `01KAAAAAAAAAAAAAAAAAAAAAD${i}`,
    now,
  }));
}

function config(store: string, sink: Sink): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, secret: s3cr3t-value }
store: ${store}
plugins: { dirs: [${ROOT}/plugins] }
destinations:
  crm: { type: http, url: "${sink.url}/hook", body: event }
routes:
  - name: everything
    to: [crm]
`;
}

async function startOn(configText: string) {
  const tmp = tempDir('migrate-cfg');
  const file = tmp.write('config.yaml', configText);
  const service = await Service.start({
    configPath: file,
    env: {},
    log: createLogger({ secrets: () => [], destination: new LogCapture(), level: 'warn' }),
    pollMs: 50,
    shutdownGraceMs: 2000,
  });
  return { service, tmp };
}

describe('store migration source_fields: MTA status moves from its column into the event data', () => {
  it('migrates a SQLite store written by the previous version and delivers its pending deliveries', async () => {
    const tmp = tempDir('migrate-sqlite');
    const path = `${tmp.dir}/switchboard.db`;
    const db = new Database(path);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const m of previousVersion('sqlite').earlier) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    for (const r of oldRows()) {
      db.prepare(
        `INSERT INTO events (id, source, type, status_name, received_at, body_hash, event, routes, unrouted)
         VALUES (?, 'mta', ?, ?, ?, ?, ?, '[]', 0)`,
      ).run(r.event.id, r.event.type, r.statusName, r.now, `hash-${r.event.id}`, JSON.stringify(r.event));
      db.prepare(
        `INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
         VALUES (?, ?, 'crm', 'everything', 'pending', 0, ?, ?, ?)`,
      ).run(r.deliveryId, r.event.id, r.now, r.now, r.now);
    }
    db.close();

    const sink = await Sink.start();
    const { service, tmp: cfg } = await startOn(config(`{ driver: sqlite, path: ${path} }`, sink));
    try {
      await sink.waitFor(() => sink.requests.length >= 2, 'both pending deliveries');
      const ids = sink.bodies<{ id: string }>().map((b) => b.id);
      expect(ids.sort()).to.deep.equal(oldRows().map((r) => r.event.id));
      const failed = await service.store.listEvents({ filter: { status: 'DELIVERY_FAILED' }, limit: 10 });
      expect(failed.items.map((e) => e.id)).to.deep.equal(['01KAAAAAAAAAAAAAAAAAAAAAA1']);
    } finally {
      await service.stop();
      await sink.stop();
      cfg.cleanup();
    }
    const after = new Database(path, { readonly: true });
    try {
      const columns = after.prepare("SELECT name FROM pragma_table_info('events')").all() as Array<{
        name: string;
      }>;
      expect(columns.map((c) => c.name)).to.not.include('status_name');
      expect(after.prepare('SELECT max(version) AS v FROM schema_migrations').get()).to.deep.equal({
        v: previousVersion('sqlite').last,
      });
    } finally {
      after.close();
      tmp.cleanup();
    }
  });

  it('migrates a PostgreSQL store written by the previous version and delivers its pending deliveries', async () => {
    const schema = `mig17_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const sink = await Sink.start();
    let started: Awaited<ReturnType<typeof startOn>> | undefined;
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`SET search_path TO "${schema}"`);
      await admin.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      for (const m of previousVersion('postgres').earlier) {
        await admin.query(m.sql);
        await admin.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
      }
      for (const r of oldRows()) {
        await admin.query(
          `INSERT INTO events (id, source, type, status_name, received_at, body_hash, event, routes, unrouted)
           VALUES ($1, 'mta', $2, $3, $4, $5, $6, '[]', false)`,
          [r.event.id, r.event.type, r.statusName, r.now, `hash-${r.event.id}`, JSON.stringify(r.event)],
        );
        await admin.query(
          `INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
           VALUES ($1, $2, 'crm', 'everything', 'pending', 0, $3, $3, $3)`,
          [r.deliveryId, r.event.id, r.now],
        );
      }
      started = await startOn(config(`{ driver: postgres, url: "${url}", schema: ${schema} }`, sink));
      await sink.waitFor(() => sink.requests.length >= 2, 'both pending deliveries');
      const ids = sink.bodies<{ id: string }>().map((b) => b.id);
      expect(ids.sort()).to.deep.equal(oldRows().map((r) => r.event.id));
      const failed = await started.service.store.listEvents({
        filter: { status: 'DELIVERY_FAILED' },
        limit: 10,
      });
      expect(failed.items.map((e) => e.id)).to.deep.equal(['01KAAAAAAAAAAAAAAAAAAAAAA1']);
      const columns = await admin.query(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, 'events'],
      );
      expect(columns.rows.map((c) => c.column_name)).to.not.include('status_name');
    } finally {
      await started?.service.stop();
      started?.tmp.cleanup();
      await sink.stop();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
