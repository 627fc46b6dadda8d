import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/Either';
import { loadConfigWithPlugins } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { newId } from '../../src/ids.ts';
import { decodeForSource } from '../../src/sources/decode.ts';
import type { MtaEvent as GatewayEvent } from '../../src/sources/mta/event.ts';
import { openStore } from '../../src/store/open.ts';
import { bodyKey } from '../../src/store/sqlite/recent-bodies.ts';
import type { IngestRequest } from '../../src/store/types.ts';
import { BodyFactory } from './bodies.ts';
import { SECRET } from './config.ts';

const TEMPLATES = 100;

/**
 * Fills the store a config names with `count` events, exactly as ingress would write them (real decode, real
 * routes, one delivery each), by calling the store directly in big group-commit batches: far faster than HTTP.
 * `state` then moves the deliveries on: `delivered` for history (a store that has been running), `pending`
 * for a backlog. Prints progress through `progress`.
 */
export async function prefill(
  configPath: string,
  count: number,
  opts: { state: 'delivered' | 'pending'; batch?: number; progress?: (done: number) => void },
): Promise<number> {
  const requests = await ingestRequests(configPath);
  const store = await openStore(requests.config.store);
  const size = opts.batch ?? 5000;
  const started = Date.now();
  try {
    let done = 0;
    while (done < count) {
      const n = Math.min(size, count - done);
      const now = Date.now();
      await store.ingest({ batch: requests.next(n, now), now: new Date(now) });
      done += n;
      opts.progress?.(done);
    }
  } finally {
    await store.close();
  }
  if (opts.state === 'delivered') await markDelivered(requests.config.store);
  return (Date.now() - started) / 1000;
}

/**
 * Ingest requests exactly as ingress makes them for the bench config (real decode, real routes, one delivery
 * each, every body unique so dedupe never short-cuts), made fast: the first wheel of types is decoded and
 * routed for real; after that, copies with fresh ids (decode is half the cost and every copy has the same shape
 * and size).
 */
export async function ingestRequests(configPath: string): Promise<{
  config: Config;
  next(n: number, now: number): IngestRequest[];
}> {
  const loaded = await loadConfigWithPlugins(configPath, { env: {} });
  if (!loaded.ok) throw new Error(`bench config rejected: ${JSON.stringify(loaded.issues)}`);
  const { config } = loaded;
  const source = config.sources.get('mta')!;
  const factory = new BodyFactory(SECRET);
  const salt = Math.random().toString(36).slice(2);
  const templates: GatewayEvent[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const decoded = decodeForSource(source, JSON.parse(factory.next().body), {
      id: newId(),
      receivedAt: new Date().toISOString(),
    });
    if (isLeft(decoded)) throw new Error(`fixture did not decode: ${decoded.left.error}`);
    templates.push(decoded.right as GatewayEvent);
  }
  const decision = config.router.route(templates[0]);
  let k = 0;
  const one = (now: number): IngestRequest => {
    const template = templates[k % TEMPLATES];
    const event: GatewayEvent = { ...template, id: newId(now), receivedAt: new Date(now).toISOString() };
    if (event.messageId !== undefined) event.messageId = template.messageId! + k;
    event.payload = { ...(template.payload as object), n: k };
    const bodyHash = createHash('sha256').update(`${salt}:${k++}`).digest('hex');
    return {
      event,
      bodyHash,
      dedupeWindowMs: source.dedupeWindowMs,
      routes: decision.routes,
      deliveries: decision.destinations,
    };
  };
  return { config, next: (n, now) => Array.from({ length: n }, () => one(now)) };
}

/** Moves every pending delivery to delivered (history), straight in the database. */
async function markDelivered(
  store: { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string },
) {
  if (store.driver === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(store.path);
    db.pragma('journal_mode = WAL');
    db.prepare(
      "UPDATE deliveries SET state = 'delivered', attempts = 1, next_at = NULL, updated_at = created_at WHERE state = 'pending'",
    ).run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  } else {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    await client.query(
      "UPDATE deliveries SET state = 'delivered', attempts = 1, next_at = NULL, updated_at = created_at WHERE state = 'pending'",
    );
    await client.end();
  }
}

/**
 * History for the growth scenario: `count` delivered events (with their delivery, attempt-free, and a live
 * dedupe key each) written by SQL in the bench process, copying rows the real ingest path wrote, so 1M rows
 * take seconds instead of minutes. Ids sort before any new ULID (history is older).
 */
export async function prefillHistorySqlite(
  configPath: string,
  path: string,
  count: number,
  progress?: (done: number) => void,
): Promise<void> {
  await prefill(configPath, 100, { state: 'delivered' });
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.function('switchboard_body_key', { deterministic: true }, (source, hash) =>
    bodyKey(String(source), String(hash)),
  );
  const step = 100_000;
  const far = Date.now() + 7 * 86_400_000;
  const insert = db.transaction((from: number, to: number) => {
    const range = `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to - 1})`;
    db.exec(`${range}
      INSERT INTO events (id, source, type, received_at, body_hash, body_key, event, routes, unrouted)
      SELECT printf('00%024d', n.i), t.source, t.type, t.received_at - 86400000 + n.i,
             printf('%064d', n.i), switchboard_body_key(t.source, printf('%064d', n.i)), t.event, t.routes, t.unrouted
      FROM n JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM events WHERE id NOT LIKE '00%') t
        ON t.k = n.i % 100`);
    db.exec(`${range}
      INSERT INTO deliveries (id, event_id, destination, route, state, attempts, next_at, created_at, updated_at)
      SELECT printf('00%024d', n.i), printf('00%024d', n.i), 'sink', 'everything', 'delivered', 1, NULL,
             ${Date.now()} - 86400000 + n.i, ${Date.now()} - 86400000 + n.i
      FROM n`);
    db.exec(`${range}
      INSERT INTO dedupe (source, body_hash, event_id, expires_at)
      SELECT 'mta', printf('%064d', n.i), printf('00%024d', n.i), ${far} FROM n`);
  });
  for (let done = 0; done < count; ) {
    const n = Math.min(step, count - done);
    insert(done, done + n);
    done += n;
    progress?.(done);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Event ids with a delivery still pending or sending (queued, not lost) in a store. */
export async function queuedEventIds(
  store: { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string },
): Promise<Set<string>> {
  const sql = "SELECT event_id FROM deliveries WHERE state IN ('pending', 'sending')";
  if (store.driver === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(store.path, { readonly: true });
    // Deliveries ingest wrote that no operation has moved into `deliveries` yet (migration 007) are queued too.
    const fresh = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'deliveries_new'").get();
    const rows = db.prepare(fresh ? `${sql} UNION SELECT event_id FROM deliveries_new` : sql).all() as Array<{
      event_id: string;
    }>;
    db.close();
    return new Set(rows.map((r) => r.event_id));
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  const { rows } = await client.query<{ event_id: string }>(sql);
  await client.end();
  return new Set(rows.map((r) => r.event_id));
}
