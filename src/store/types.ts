import type { GatewayEvent } from '../event.ts';

/**
 * The store: events, their deliveries, every attempt, and rejected payloads. One interface with explicit SQL
 * behind it (sqlite/ and postgres/); both backends pass the same suite (test/store/suite.ts).
 * Every method that depends on time takes `now` explicitly, so tests drive a fake clock.
 */

/** The closed set of delivery states. `sending` = claimed by a worker under a lease. */
export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed', 'dead'] as const;
/** A delivery's state. delivered / failed / dead are final (failed and dead can be replayed). */
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One route's verdict for an event, kept with the event for the admin API. */
export interface RouteVerdict {
  name: string;
  matched: boolean;
  reason: string;
}

/** What ingress hands the store for one accepted webhook. */
export interface IngestRequest {
  event: GatewayEvent;
  /** SHA-256 hex of the raw body, for deduplication per source. */
  bodyHash: string;
  /** Deduplicate against bodies seen within this many ms (0: no dedupe). */
  dedupeWindowMs: number;
  routes: RouteVerdict[];
  /** Destinations chosen by routing, each at most once, with the route that chose it. */
  deliveries: Array<{ destination: string; route: string }>;
}

/** The answer for one ingest request. `id` is the original event's id when `duplicate`. */
export interface IngestResult {
  id: string;
  duplicate: boolean;
}

/** A delivery handed to a worker, with its event. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  destination: string;
  route: string;
  /** Attempts already made since the last replay (the retry budget counts these; the next is attempts + 1); throttled tries excluded. */
  attempts: number;
  /** Attempts made before the last replay: the attempt log numbers the next one attemptOffset + attempts + 1. */
  attemptOffset?: number;
  /** Epoch ms of the first (not throttled) attempt since the delivery was created or replayed, when there was one. */
  firstAttemptAt?: number;
  event: GatewayEvent;
}

/** One recorded attempt. */
export interface AttemptRecord {
  number: number;
  startedAt: Date;
  durationMs: number;
  /** `throttled`: the destination asked to slow down; the attempt does not count toward `attempts`. */
  outcome: 'delivered' | 'retry' | 'throttled' | 'failed' | 'dead';
  reason?: string;
  statusCode?: number;
}

/** Where a delivery goes after an attempt: a final state, or back to pending at `nextAt`. */
export type NextState = { state: 'delivered' | 'failed' | 'dead' } | { state: 'pending'; nextAt: Date };

/** A delivery as listed by the admin API and the CLI. */
export interface DeliveryRow {
  id: string;
  eventId: string;
  destination: string;
  route: string;
  state: DeliveryState;
  attempts: number;
  nextAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An attempt as listed by the admin API. */
export interface AttemptRow extends Omit<AttemptRecord, 'startedAt'> {
  deliveryId: string;
  startedAt: string;
}

/** An event with everything known about it. */
export interface EventDetail {
  event: GatewayEvent;
  routes: RouteVerdict[];
  unrouted: boolean;
  deliveries: Array<DeliveryRow & { attemptLog: AttemptRow[] }>;
}

/** Filters for listing deliveries (and for replaying many). All optional, combined with AND. */
export interface DeliveryFilter {
  state?: DeliveryState | DeliveryState[];
  destination?: string;
  eventId?: string;
  /** Only deliveries last updated at or after this time. */
  since?: Date;
  /** Only deliveries last updated before this time. */
  until?: Date;
}

/** Filters for listing events. */
export interface EventFilter {
  type?: string;
  /** Status name, e.g. DELIVERY_FAILED. */
  status?: string;
  /** Events with a delivery to this destination. */
  destination?: string;
  since?: Date;
  /** Only events received before this time. */
  until?: Date;
  unrouted?: boolean;
  /** The source's name in config. */
  source?: string;
  /** E.164 (`+15551234567`) matches exactly; digits alone match the end of the number (`4567`). */
  phone?: string;
  /** Events carrying this tag with this value. */
  tag?: { key: string; value: string };
  /**
   * Phone and tag live in the event's JSON, unindexed: with this set, they are looked for in at most this many
   * events (newest first from the cursor); a page that stops there has `partial` and a `next` to go on.
   */
  scanLimit?: number;
}

/** Keyset pagination: pass back `next` to get the following page. Newest first. */
export interface Page<T> {
  items: T[];
  next: string | null;
  /** The search stopped at EventFilter.scanLimit events: `next` continues it (items may be fewer, even none). */
  partial?: boolean;
}

/** A signature-valid body that failed decoding, kept so nothing authentic is lost. */
export interface RejectedPayload {
  id: string;
  source: string;
  urlEvent: string | null;
  receivedAt: string;
  /** The raw body as received (UTF-8 text; invalid bytes replaced). */
  body: string;
  /**
   * The body's exact bytes (base64) when `body` cannot hold them: not UTF-8, or holding a NUL byte (which
   * PostgreSQL's text cannot). Absent when `body` is the body byte for byte.
   */
  rawBody?: string;
  errors: Array<{ path: string; message: string }>;
}

/** Queue depth for metrics and /readyz. */
export interface QueueStats {
  depth: Array<{ destination: string; state: DeliveryState; count: number }>;
  /** Dead deliveries on record (retries exhausted) per destination that has any: the dead letters. */
  dead: Array<{ destination: string; count: number }>;
  /** receivedAt of the oldest pending/sending delivery's creation, per destination. */
  oldestPending: Array<{ destination: string; createdAt: Date }>;
}

/** An operator's hold on a destination (or `route:<name>`), as stored. Times are ISO 8601 UTC. */
export interface Pause {
  name: string;
  /** Who paused it (`$USER@host` from the CLI, `admin-api` from the API); "unknown" for pauses made before this was kept. */
  by: string;
  comment?: string;
  since: string;
  /** The pause lifts by itself at this time. */
  expiresAt?: string;
}

/** How a pause is recorded: who, why, until when. */
export interface PauseRequest {
  by: string;
  comment?: string;
  expiresAt?: Date;
}

/** What a destination's queue and recent attempts look like (GET /api/destinations, `switchboard destinations`). */
export interface DestinationActivity {
  destination: string;
  /** Deliveries waiting (state pending, paused ones included). */
  pending: number;
  /** Deliveries being sent (state sending). */
  inFlight: number;
  /** Dead deliveries on record (retries exhausted, retention permitting): dead letters an operator may replay. */
  dead: number;
  /** Creation time of the oldest pending or sending delivery (ISO 8601). */
  oldestPendingAt?: string;
  /** Attempts that delivered / failed (retry, failed or dead) / were throttled since the `since` passed in. */
  delivered: number;
  failed: number;
  throttled: number;
  /** The latest failed attempt ever recorded (retention permitting): when and why. */
  lastError?: { at: string; reason: string };
}

/** Options of a replay. */
export interface ReplayOptions {
  /** Also put delivered deliveries back in the queue (sends them again: only when explicitly asked). */
  includeDelivered?: boolean;
}

/** One bucket of the console's activity chart: events received and attempts made in [at, at + bucket). */
export interface ActivityBucket {
  /** ISO 8601 start of the bucket. */
  at: string;
  received: number;
  /** Attempts that delivered. */
  delivered: number;
  /** Attempts that failed (retries, permanent failures, the last attempt of a dead delivery; not throttled). */
  failed: number;
}

/** Accepting webhooks: one group-committed transaction per batch (src/store/{sqlite,postgres}/ingest.ts). */
export interface IngestOps {
  /**
   * Commits a batch of events and their deliveries in ONE transaction (group commit) and returns one result
   * per request, in order. Returns only after the commit is durable.
   */
  ingest(args: { batch: IngestRequest[]; now: Date }): Promise<IngestResult[]>;
  /**
   * How many ingest batches group commit may have in flight at once (default 1). More than one only where the
   * backend gains from it and keeps dedupe atomic between them: PostgreSQL commits them in parallel, each on
   * its own connection; the SQLite store thread merges those waiting into its next commit.
   */
  readonly ingestBatchesInFlight?: number;
}

/** The delivery queue: claims and leases are dialect-specific (sqlite/queue.ts, postgres/queue.ts). */
export interface QueueOps {
  /**
   * Claims up to `limit` due deliveries of one destination: pending with nextAt <= now, or sending with an
   * expired lease (a crashed worker's). Marks them sending, owned by `owner`, leased until now + leaseMs.
   * Two claimers never get the same delivery.
   */
  claim(args: {
    destination: string;
    limit: number;
    owner: string;
    leaseMs: number;
    now: Date;
  }): Promise<ClaimedDelivery[]>;
  /** Extends the lease of deliveries this owner still holds. Returns the ids actually renewed. */
  renewLeases(args: { ids: string[]; owner: string; leaseMs: number; now: Date }): Promise<string[]>;
  /**
   * Records an attempt and moves the delivery to its next state, only if `owner` still holds the lease.
   * Returns false when the lease was lost (another worker reclaimed it); the attempt is then still recorded.
   * When `next` is failed or dead, each `fallback` destination gets a pending delivery of the same event in the
   * same transaction (unless it already has one for this event).
   */
  complete(args: CompleteArgs): Promise<boolean>;
  /**
   * Puts deliveries this owner holds back to pending until `until`, recording no attempt (a digest holding
   * events for its group's next send). Returns how many were deferred.
   */
  defer(args: { ids: string[]; owner: string; until: Date; now: Date }): Promise<number>;
  /** Puts every delivery this owner holds back to pending, keeping its place in line (graceful shutdown). */
  releaseAll(args: { owner: string; now: Date }): Promise<number>;
  /** The earliest nextAt among pending deliveries of a destination (null: none pending), to sleep until. */
  nextDue(args: { destination: string }): Promise<Date | null>;
  /**
   * Puts failed/dead (and, with `includeDelivered`, delivered) deliveries back to pending now. The retry budget
   * starts again; attempt numbers continue from the last one. By ids, or by filter. Returns how many.
   */
  replay(
    args: ({ ids: string[] } | { filter: DeliveryFilter }) & { now: Date } & ReplayOptions,
  ): Promise<number>;
}

/** The arguments of one complete() call. */
export interface CompleteArgs {
  deliveryId: string;
  owner: string;
  attempt: AttemptRecord;
  next: NextState;
  now: Date;
  fallback?: readonly string[];
}

/** Reading what happened: events, their deliveries and attempts (src/store/events.ts). */
export interface EventLogOps {
  getEvent(args: { id: string }): Promise<EventDetail | null>;
  listEvents(args: { filter: EventFilter; limit: number; cursor?: string }): Promise<Page<GatewayEvent>>;
  listDeliveries(args: {
    filter: DeliveryFilter;
    limit: number;
    cursor?: string;
  }): Promise<Page<DeliveryRow>>;
  /** One delivery with its attempt log, or null. */
  getDelivery(args: { id: string }): Promise<(DeliveryRow & { attemptLog: AttemptRow[] }) | null>;
}

/** Signature-valid bodies that failed decoding, kept for the operator (src/store/rejected.ts). */
export interface RejectedOps {
  addRejected(args: { payload: Omit<RejectedPayload, 'id'>; now: Date }): Promise<string>;
  listRejected(args: { limit: number; cursor?: string }): Promise<Page<RejectedPayload>>;
  getRejected(args: { id: string }): Promise<RejectedPayload | null>;
  deleteRejected(args: { id: string }): Promise<void>;
}

/**
 * Destinations held by an operator (`switchboard pause`), persisted across restarts and instances. A route is
 * held by pausing `route:<name>`: only the deliveries that route created wait (src/store/holds.ts).
 */
export interface HoldOps {
  /** The names held now (pauses past their expiry lift first, when `now` is given). */
  pausedDestinations(args?: { now?: Date }): Promise<string[]>;
  /** Pauses (recording who, why and until when) or resumes; idempotent. Pausing again replaces the details. */
  setPaused(args: { destination: string; paused: boolean; how?: PauseRequest; now?: Date }): Promise<void>;
  /** Every pause in force, by name. Pauses past their expiry are deleted first (they lift by themselves). */
  listPauses(args: { now: Date }): Promise<Pause[]>;
}

/** Keeping the store healthy and observable (src/store/maintenance.ts, migrations per dialect). */
export interface MaintenanceOps {
  /** Creates or upgrades the schema (numbered migrations; safe when several instances start at once). */
  migrate(): Promise<void>;
  /**
   * Cheap liveness query for /readyz. Throws when the store does not answer. With `write`, also takes the locks
   * ingest takes and commits a write that leaves nothing behind (a probe row inserted and deleted in one
   * transaction), so a store that answers but cannot commit (a lock held elsewhere, full disk, read-only) fails
   * too. `waitMs` bounds each wait for a lock (and, on PostgreSQL, each statement) instead of the store's own.
   */
  ping(args?: { write?: boolean; waitMs?: number }): Promise<void>;
  /** Deletes events older than `before` whose deliveries are all final, plus expired dedupe keys. */
  prune(args: { before: Date; now: Date }): Promise<number>;
  queueStats(args: { now: Date }): Promise<QueueStats>;
  /** Per-bucket counts from `since` to `until` (every bucket present, zeros included), oldest first. */
  activity(args: { since: Date; until: Date; bucketMs: number }): Promise<ActivityBucket[]>;
  /** Queue depth, attempts since `since` and the latest error, per destination with any of these (by name). */
  destinationActivity(args: { since: Date; now: Date }): Promise<DestinationActivity[]>;
  close(): Promise<void>;
}

/**
 * The store both backends implement, split by job. Every operation takes one named-argument object; those
 * whose SQL both dialects speak are written once (src/store/{events,rejected,holds,maintenance,queue}.ts),
 * the rest once per dialect (claims, ingest, migrations).
 */
export interface Store extends IngestOps, QueueOps, EventLogOps, RejectedOps, HoldOps, MaintenanceOps {}
