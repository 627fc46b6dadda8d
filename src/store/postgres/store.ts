import type pg from 'pg';
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
import { inTransaction } from './db.ts';
import { ingestPostgres } from './ingest.ts';
import {
  activityBucketsPostgres,
  activityPostgres,
  listPausesPostgres,
  pausedPostgres,
  prunePostgres,
  queueStatsPostgres,
  setPausedPostgres,
} from './maintenance.ts';
import { migratePostgres } from './migrate.ts';
import {
  claimPostgres,
  completePostgres,
  deferPostgres,
  nextDuePostgres,
  releaseAllPostgres,
  renewPostgres,
} from './queue.ts';
import { getDeliveryPostgres, getEventPostgres, listDeliveriesPostgres, listEventsPostgres } from './read.ts';
import {
  addRejectedPostgres,
  deleteRejectedPostgres,
  getRejectedPostgres,
  listRejectedPostgres,
} from './rejected.ts';
import { replayPostgres } from './replay.ts';

/** The row the write probe inserts and deletes in one transaction; no destination or route has this name. */
const WRITE_PROBE = 'switchboard:write-probe';

/** The shared store for several gateway instances: a pg Pool over one schema. */
export class PostgresStore implements Store {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string | undefined,
    private readonly maxRejected: number = MAX_REJECTED,
  ) {}

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, this.schema);
  }

  async ping(opts: { write?: boolean } = {}): Promise<void> {
    if (!opts.write) {
      await this.pool.query('SELECT 1');
      return;
    }
    // Nothing stays behind and no other transaction ever sees the row.
    await inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO paused (destination) VALUES ($1) ON CONFLICT DO NOTHING', [
        WRITE_PROBE,
      ]);
      await client.query('DELETE FROM paused WHERE destination = $1', [WRITE_PROBE]);
    });
  }

  async ingest(batch: IngestRequest[], now: Date): Promise<IngestResult[]> {
    return batch.length === 0 ? [] : ingestPostgres(this.pool, batch, now);
  }

  async claim(
    destination: string,
    limit: number,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<ClaimedDelivery[]> {
    return limit < 1 ? [] : claimPostgres(this.pool, destination, Math.floor(limit), owner, leaseMs, now);
  }

  async renewLeases(ids: string[], owner: string, leaseMs: number, now: Date): Promise<string[]> {
    return renewPostgres(this.pool, ids, owner, leaseMs, now);
  }

  async complete(
    deliveryId: string,
    owner: string,
    attempt: AttemptRecord,
    next: NextState,
    now: Date,
    fallback?: readonly string[],
  ): Promise<boolean> {
    return completePostgres(this.pool, deliveryId, owner, attempt, next, now, fallback);
  }

  async defer(ids: string[], owner: string, until: Date, now: Date): Promise<number> {
    return deferPostgres(this.pool, ids, owner, until, now);
  }

  async releaseAll(owner: string, now: Date): Promise<number> {
    return releaseAllPostgres(this.pool, owner, now);
  }

  async nextDue(destination: string): Promise<Date | null> {
    return nextDuePostgres(this.pool, destination);
  }

  async getEvent(id: string): Promise<EventDetail | null> {
    return getEventPostgres(this.pool, id);
  }

  async listEvents(filter: EventFilter, limit: number, cursor?: string): Promise<Page<GatewayEvent>> {
    return listEventsPostgres(this.pool, filter, pageSize(limit), cursor);
  }

  async listDeliveries(filter: DeliveryFilter, limit: number, cursor?: string): Promise<Page<DeliveryRow>> {
    return listDeliveriesPostgres(this.pool, filter, pageSize(limit), cursor);
  }

  async replay(
    target: { ids: string[] } | { filter: DeliveryFilter },
    now: Date,
    options?: ReplayOptions,
  ): Promise<number> {
    return replayPostgres(this.pool, target, now, options);
  }

  async addRejected(r: Omit<RejectedPayload, 'id'>, now: Date): Promise<string> {
    return addRejectedPostgres(this.pool, r, now, this.maxRejected);
  }

  async listRejected(limit: number, cursor?: string): Promise<Page<RejectedPayload>> {
    return listRejectedPostgres(this.pool, pageSize(limit), cursor);
  }

  async getRejected(id: string): Promise<RejectedPayload | null> {
    return getRejectedPostgres(this.pool, id);
  }

  async deleteRejected(id: string): Promise<void> {
    await deleteRejectedPostgres(this.pool, id);
  }

  async prune(before: Date, now: Date): Promise<number> {
    return prunePostgres(this.pool, before, now);
  }

  async queueStats(_now: Date): Promise<QueueStats> {
    return queueStatsPostgres(this.pool);
  }

  async getDelivery(id: string): Promise<(DeliveryRow & { attemptLog: AttemptRow[] }) | null> {
    return getDeliveryPostgres(this.pool, id);
  }

  async activity(since: Date, until: Date, bucketMs: number): Promise<ActivityBucket[]> {
    return activityBucketsPostgres(this.pool, since, until, bucketMs);
  }

  async listPauses(now: Date): Promise<Pause[]> {
    return listPausesPostgres(this.pool, now);
  }

  async destinationActivity(since: Date, _now: Date): Promise<DestinationActivity[]> {
    return activityPostgres(this.pool, since);
  }

  async pausedDestinations(now?: Date): Promise<string[]> {
    return pausedPostgres(this.pool, now);
  }

  async setPaused(destination: string, paused: boolean, how?: PauseRequest, now?: Date): Promise<void> {
    await setPausedPostgres(this.pool, destination, paused, how, now);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
