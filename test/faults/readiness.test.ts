import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { hasAdminToken } from '../../src/ingress/admin-token.ts';
import { assessReadiness, publicReadiness } from '../../src/observability/readiness.ts';
import { StoreHealth, storeFaultKind, watchWrites } from '../../src/observability/store-health.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/tmp.ts';
import { at, request } from '../store/fixtures.ts';

describe('readiness tells the truth', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let path: string;
  beforeEach(async () => {
    tmp = tempDir('readiness');
    path = join(tmp.dir, 'sb.db');
    store = openSqliteStore(path);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const assess = (health: StoreHealth, extra: { workersRunning?: boolean; stopping?: boolean } = {}) =>
    assessReadiness({
      store,
      health,
      workersRunning: extra.workersRunning ?? true,
      stopping: extra.stopping ?? false,
      timeoutMs: 1_000,
    });

  it('is ready with every check passing when the store answers and writes', async () => {
    const r = await assess(new StoreHealth());
    expect(r.ready).to.equal(true);
    expect(r.reasons).to.deep.equal([]);
    expect(Object.values(r.checks).every((c) => c.ok)).to.equal(true);
  });

  it('names stopped workers and shutting down as reasons', async () => {
    const r = await assess(new StoreHealth(), { workersRunning: false, stopping: true });
    expect(r.ready).to.equal(false);
    expect(r.reasons).to.deep.equal(['delivery workers are stopped', 'shutting down']);
  });

  it('is not ready after a failed write, even though SELECT 1 answers, until a write succeeds', async () => {
    const health = new StoreHealth();
    // Another connection holds the write lock: the store answers reads but cannot write.
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      health.failed(new Error('database or disk is full'));
      const r = await assess(health);
      expect(r.ready).to.equal(false);
      expect(r.reasons[0]).to.match(/^store cannot write/);
      expect(health.current.failing).to.equal(true);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    // The write probe succeeds now: recovery is noticed without any webhook arriving.
    const again = await assess(health);
    expect(again.ready).to.equal(true);
    expect(health.current.failing).to.equal(false);
  });

  it('learns of write failures and successes from the store calls themselves', async () => {
    const health = new StoreHealth();
    const watched = watchWrites(store, health);
    await store.close();
    let failed = false;
    await watched.ingest([request(at(0))], at(0)).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(health.current.failing).to.equal(true);
    store = openSqliteStore(path);
    const rewatched = watchWrites(store, health);
    await rewatched.ingest([request(at(1))], at(1));
    expect(health.current.failing).to.equal(false);
    // A claim that finds nothing proves nothing about writing: it does not clear a failure.
    health.failed(new Error('SQLITE_FULL: database or disk is full'));
    await rewatched.claim('nowhere', 10, 'me', 1000, at(2));
    expect(health.current.failing).to.equal(true);
  });

  it('keeps store messages (which may name hosts) out of the public answer', () => {
    const full = {
      ready: false,
      checks: {
        store: {
          ok: false,
          status: 'unavailable (unreachable)',
          error: 'connect ECONNREFUSED 10.0.0.7:5432',
        },
      },
      reasons: ['store unavailable (unreachable)'],
    };
    expect(JSON.stringify(publicReadiness(full))).to.not.include('10.0.0.7');
    expect(publicReadiness(full).reasons).to.deep.equal(full.reasons);
  });

  it('shows the details only to a request with the admin token', () => {
    expect(hasAdminToken('Bearer s3cret-token', 's3cret-token')).to.equal(true);
    expect(hasAdminToken('Bearer wrong', 's3cret-token')).to.equal(false);
    expect(hasAdminToken(undefined, 's3cret-token')).to.equal(false);
    expect(hasAdminToken('Bearer ', undefined)).to.equal(false);
  });

  it('classifies store errors in words safe to show', () => {
    expect(storeFaultKind(new Error('database or disk is full'))).to.equal('disk_full');
    expect(
      storeFaultKind(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).to.equal('unreachable');
    expect(
      storeFaultKind(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).to.equal('unreachable');
    expect(storeFaultKind(new Error('Query read timeout'))).to.equal('timeout');
  });
});
