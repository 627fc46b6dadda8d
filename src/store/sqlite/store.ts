import type { GatewayEvent } from '../../event.ts';
import { MAX_REJECTED, pageSize } from '../filters.ts';
import type {
  ActivityBucket,
  AttemptRecord,
  AttemptRow,
  ClaimedDelivery,
  DeliveryFilter,
  DeliveryRow,
  DestinationActivity,
  EventDetail,
  EventFilter,
  IngestRequest,
  IngestResult,
  NextState,
  Page,
  Pause,
  PauseRequest,
  QueueStats,
  RejectedPayload,
  ReplayOptions,
  Store,
} from '../types.ts';
import type { SqliteDb } from './db.ts';
import { ingestSqlite, type PreparedIngest, prepareIngest } from './ingest.ts';
import {
  activityBucketsSqlite,
  activitySqlite,
  listPausesSqlite,
  pausedSqlite,
  pruneSqlite,
  queueStatsSqlite,
  setPausedSqlite,
} from './maintenance.ts';
import { migrateSqlite } from './migrate.ts';
import {
  type CompleteArgs,
  type CompleteOutcome,
  claimSqlite,
  completeBatchSqlite,
  completeSqlite,
  deferSqlite,
  nextDueSqlite,
  releaseAllSqlite,
  renewSqlite,
} from './queue.ts';
import { getDeliverySqlite, getEventSqlite, listDeliveriesSqlite, listEventsSqlite } from './read.ts';
import {
  addRejectedSqlite,
  deleteRejectedSqlite,
  getRejectedSqlite,
  listRejectedSqlite,
} from './rejected.ts';
import { replaySqlite } from './replay.ts';

/** Options of the SQLite store beyond its file. */
export interface SqliteStoreOptions {
  /** Rejected payloads kept (default 10,000). */
  maxRejected?: number;
}

/** The row the write probe inserts and deletes in one transaction; no destination or route has this name. */
const WRITE_PROBE = 'switchboard:write-probe';

/**
 * The embedded store: one SQLite file in WAL mode. The work is synchronous inside each method (better-sqlite3);
 * the methods are async only to honour the Store interface.
 */
export class SQLiteStore implements Store {
  private readonly maxRejected: number;

  constructor(
    private readonly db: SqliteDb,
    options: SqliteStoreOptions = {},
  ) {
    this.maxRejected = options.maxRejected ?? MAX_REJECTED;
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db);
  }

  async ping(opts: { write?: boolean } = {}): Promise<void> {
    this.db.stmt('SELECT 1').get();
    if (opts.write) {
      this.db.write(() => {
        this.db.stmt('INSERT INTO paused (destination) VALUES (?) ON CONFLICT DO NOTHING').run(WRITE_PROBE);
        this.db.stmt('DELETE FROM paused WHERE destination = ?').run(WRITE_PROBE);
      });
    }
  }

  async ingest(batch: IngestRequest[], now: Date): Promise<IngestResult[]> {
    return this.ingestPrepared(prepareIngest(batch, now), now);
  }

  /** ingest() for a batch prepared elsewhere (ThreadedSqliteStore prepares it on the main thread). */
  async ingestPrepared(batch: PreparedIngest[], now: Date): Promise<IngestResult[]> {
    return batch.length === 0 ? [] : ingestSqlite(this.db, batch, now);
  }

  async claim(
    destination: string,
    limit: number,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<ClaimedDelivery[]> {
    return limit < 1 ? [] : claimSqlite(this.db, destination, Math.floor(limit), owner, leaseMs, now);
  }

  async renewLeases(ids: string[], owner: string, leaseMs: number, now: Date): Promise<string[]> {
    return renewSqlite(this.db, ids, owner, leaseMs, now);
  }

  async complete(
    deliveryId: string,
    owner: string,
    attempt: AttemptRecord,
    next: NextState,
    now: Date,
    fallback?: readonly string[],
  ): Promise<boolean> {
    return completeSqlite(this.db, deliveryId, owner, attempt, next, now, fallback);
  }

  /** Several complete() calls in one commit (ThreadedSqliteStore gathers them); one answer per call. */
  async completeBatch(batch: CompleteArgs[]): Promise<CompleteOutcome[]> {
    return completeBatchSqlite(this.db, batch);
  }

  async defer(ids: string[], owner: string, until: Date, now: Date): Promise<number> {
    return deferSqlite(this.db, ids, owner, until, now);
  }

  async releaseAll(owner: string, now: Date): Promise<number> {
    return releaseAllSqlite(this.db, owner, now);
  }

  async nextDue(destination: string): Promise<Date | null> {
    return nextDueSqlite(this.db, destination);
  }

  async getEvent(id: string): Promise<EventDetail | null> {
    return getEventSqlite(this.db, id);
  }

  async listEvents(filter: EventFilter, limit: number, cursor?: string): Promise<Page<GatewayEvent>> {
    return listEventsSqlite(this.db, filter, pageSize(limit), cursor);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number, cursor?: string): Promise<Page<DeliveryRow>> {
    return listDeliveriesSqlite(this.db, filter, pageSize(limit), cursor);
  }

  async replay(
    target: { ids: string[] } | { filter: DeliveryFilter },
    now: Date,
    options?: ReplayOptions,
  ): Promise<number> {
    return replaySqlite(this.db, target, now, options);
  }

  async addRejected(r: Omit<RejectedPayload, 'id'>, now: Date): Promise<string> {
    return addRejectedSqlite(this.db, r, now, this.maxRejected);
  }

  async listRejected(limit: number, cursor?: string): Promise<Page<RejectedPayload>> {
    return listRejectedSqlite(this.db, pageSize(limit), cursor);
  }

  async getRejected(id: string): Promise<RejectedPayload | null> {
    return getRejectedSqlite(this.db, id);
  }

  async deleteRejected(id: string): Promise<void> {
    deleteRejectedSqlite(this.db, id);
  }

  async prune(before: Date, now: Date): Promise<number> {
    return pruneSqlite(this.db, before, now);
  }

  async queueStats(_now: Date): Promise<QueueStats> {
    return queueStatsSqlite(this.db);
  }

  async getDelivery(id: string): Promise<(DeliveryRow & { attemptLog: AttemptRow[] }) | null> {
    return getDeliverySqlite(this.db, id);
  }

  async activity(since: Date, until: Date, bucketMs: number): Promise<ActivityBucket[]> {
    return activityBucketsSqlite(this.db, since, until, bucketMs);
  }

  async listPauses(now: Date): Promise<Pause[]> {
    return listPausesSqlite(this.db, now);
  }

  async destinationActivity(since: Date, _now: Date): Promise<DestinationActivity[]> {
    return activitySqlite(this.db, since);
  }

  async pausedDestinations(now?: Date): Promise<string[]> {
    return pausedSqlite(this.db, now);
  }

  async setPaused(destination: string, paused: boolean, how?: PauseRequest, now?: Date): Promise<void> {
    setPausedSqlite(this.db, destination, paused, how, now);
  }

  async close(): Promise<void> {
    if (this.db.raw.open) this.db.raw.close();
  }
}
