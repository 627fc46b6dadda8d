import client from 'prom-client';
import type { AttemptReport } from '../delivery/observer.ts';
import type { RejectReason } from '../ingress/receive.ts';
import type { QueueStats, Store } from '../store/types.ts';
import { storeAnswer } from './readiness.ts';

/** Longest wait for the queue gauges' store query in a scrape (ms). */
const QUEUE_STATS_TIMEOUT_MS = 2_000;

/**
 * The gateway's Prometheus metrics (names follow Prometheus conventions: `_total` counters, base units).
 * Queue gauges are read from the store at scrape time, so they are right across several instances too.
 */
export class Metrics {
  readonly registry = new client.Registry();
  private readonly received = new client.Counter({
    name: 'switchboard_webhooks_received_total',
    help: 'Webhooks accepted (answered 200), by source and event type.',
    labelNames: ['source', 'type'] as const,
    registers: [this.registry],
  });
  private readonly rejected = new client.Counter({
    name: 'switchboard_webhooks_rejected_total',
    help: 'Webhooks refused, by source and reason (signature, json, decode, size, type, content_type, unknown_source, store, plugin).',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly signatures = new client.Counter({
    name: 'switchboard_webhook_signatures_total',
    help: 'Accepted webhooks by source and the secret their X-Signature matched (0: the first of `secrets`, the newest; 1: the next). During a rotation, the old secret is safe to drop once its count stops growing.',
    labelNames: ['source', 'secret'] as const,
    registers: [this.registry],
  });
  private readonly ackSeconds = new client.Histogram({
    name: 'switchboard_webhook_ack_duration_seconds',
    help: 'Time from request to answer, including the durable commit.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly decodeNotes = new client.Counter({
    name: 'switchboard_decode_notes_total',
    help: 'Coercions and aliases used while decoding accepted webhooks (how real traffic differs from the spec), by source, event type and kind.',
    labelNames: ['source', 'type', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly unrouted = new client.Counter({
    name: 'switchboard_events_unrouted_total',
    help: 'Events that matched no route (stored, not delivered).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  private readonly attempts = new client.Counter({
    name: 'switchboard_delivery_attempts_total',
    help: 'Delivery attempts by destination, outcome (delivered, retry, throttled, failed, dead) and failure reason.',
    labelNames: ['destination', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly attemptSeconds = new client.Histogram({
    name: 'switchboard_delivery_attempt_duration_seconds',
    help: 'Duration of one delivery attempt, by destination.',
    labelNames: ['destination'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly reloads = new client.Counter({
    name: 'switchboard_config_reloads_total',
    help: 'Config reloads by result (applied, refused).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(store: () => Store, now: () => number) {
    // One store query per scrape feeds the three queue gauges. prom-client collects every metric at once, so
    // each gauge awaits the same answer: filled from another's collect(), two of them were read before it had
    // run, one scrape behind (found by an attack: a replay's dead letters still counted after it). A store that
    // is down or hung leaves them without samples for this scrape: every other metric (the store rejections
    // among them) is still served, within the scraper's timeout (an attack once found /metrics answering 500,
    // or after 10 s, for the whole outage).
    let scrape: Promise<QueueStats | undefined> | undefined;
    const queueStats = () => {
      scrape ??= storeAnswer(store().queueStats({ now: new Date(now()) }), QUEUE_STATS_TIMEOUT_MS)
        .catch(() => undefined)
        // Every gauge's collect() has asked by then: a scrape starts them all at once, before any answer.
        .finally(() => {
          scrape = undefined;
        });
      return scrape;
    };
    const queueGauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (stats: QueueStats, set: (labels: Record<L, string>, value: number) => void) => void,
    ) =>
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          const stats = await queueStats();
          this.reset();
          if (stats) fill(stats, (labels, value) => this.set(labels, value));
        },
      });
    queueGauge(
      'switchboard_queue_depth',
      'Deliveries waiting (pending) or being sent (sending), by destination.',
      ['destination', 'state'],
      (stats, set) => {
        for (const d of stats.depth) set({ destination: d.destination, state: d.state }, d.count);
      },
    );
    queueGauge(
      'switchboard_queue_oldest_pending_age_seconds',
      'Age of the oldest delivery not yet finished, by destination.',
      ['destination'],
      (stats, set) => {
        for (const o of stats.oldestPending)
          set({ destination: o.destination }, (now() - o.createdAt.getTime()) / 1000);
      },
    );
    queueGauge(
      'switchboard_dead_deliveries',
      'Dead deliveries on record (retries exhausted; `switchboard replay --dead` sends them again), by destination.',
      ['destination'],
      (stats, set) => {
        for (const d of stats.dead) set({ destination: d.destination }, d.count);
      },
    );
    client.collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }

  /** Counts one webhook answer. */
  webhook(
    source: string,
    status: number,
    detail: {
      type?: string;
      duplicate?: boolean;
      unrouted?: boolean;
      reason?: RejectReason;
      secretIndex?: number;
    },
    seconds: number,
  ): void {
    this.ackSeconds.observe(seconds);
    // Duplicates count too: a retry MTA signs with the old secret is still traffic on the old secret.
    if (status === 200 && detail.secretIndex !== undefined)
      this.signatures.inc({ source, secret: String(detail.secretIndex) });
    if (status !== 200) {
      this.rejected.inc({ source, reason: detail.reason ?? 'other' });
      return;
    }
    if (detail.duplicate) {
      this.rejected.inc({ source, reason: 'duplicate' });
      return;
    }
    this.received.inc({ source, type: detail.type ?? 'unknown' });
    if (detail.unrouted) this.unrouted.inc({ source });
  }

  /** Counts the decode notes of one accepted event, one per note (kinds are a small fixed set). */
  decoded(source: string, type: string, notes: ReadonlyArray<{ kind: string }>): void {
    for (const note of notes) this.decodeNotes.inc({ source, type, kind: note.kind });
  }

  /** Counts one delivery attempt. */
  attempt(r: AttemptReport): void {
    this.attempts.inc({
      destination: r.destination,
      outcome: r.outcome,
      reason: r.failure?.reason ?? 'none',
    });
    this.attemptSeconds.observe({ destination: r.destination }, r.durationMs / 1000);
  }

  /** Counts a config reload. */
  reload(result: 'applied' | 'refused'): void {
    this.reloads.inc({ result });
  }

  /** The exposition text for /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
