import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.ts';
import type { DestinationConfig } from '../config/types.ts';
import type { ClaimedDelivery, Store } from '../store/types.ts';
import { untilStored } from './bookkeeping.ts';
import { type BreakerSnapshot, CircuitBreaker, RateLimiter } from './controls.ts';
import { DigestScheduler } from './digest.ts';
import type { DeliveryObserver } from './observer.ts';
import { afterFailure } from './policy.ts';
import { type Sent, sendOnce } from './send.ts';
import { Throttle, type ThrottleSnapshot } from './throttle.ts';

/** One destination's delivery controls as operators see them (readiness, admin API, CLI). */
export type ControlsSnapshot = BreakerSnapshot & ThrottleSnapshot;

/** What a worker needs from the outside. */
export interface WorkerDeps {
  store: Store;
  /** This process's identity as a lease owner. */
  owner: string;
  clock: Clock;
  observer: DeliveryObserver;
  /** Longest sleep when idle, so retries and other instances' work are noticed. */
  pollMs: number;
  isPaused(destination: string): boolean;
  /** Told when deliveries were added for other destinations (fallbacks), so their workers wake. */
  enqueued(destinations: readonly string[]): void;
  random?: () => number;
  /** Hides secrets (in any encoding) in a failure's message before it is stored: remotes echo credentials back. */
  redact?: (text: string) => string;
  /** The receiver's throttle as an earlier worker for this destination left it (a reload removed, then re-added it). */
  throttle?: Throttle;
}

/** How many deliveries a digest worker claims at once to sort into groups. */
const DIGEST_BATCH = 500;

/** Extra lease time beyond the attempt timeout, so a healthy send never loses its lease. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Delivers one destination's queue: claims due deliveries up to `concurrency` (and the rate limit and circuit
 * breaker), sends each once with a timeout, and records the attempt with the policy's verdict. Each destination
 * has its own worker, so a slow or broken destination never delays the others.
 */
export class DestinationWorker {
  /** Sends in progress, by launch number: each holds one of the destination's `concurrency` slots. */
  private readonly inFlight = new Map<number, { run: Promise<void>; ids: string[] }>();
  /**
   * Outcomes being recorded, by launch number. A send's slot frees as soon as its exchange ends; the store
   * write that records it (a durable commit: milliseconds) goes on here, so a slot is never held for an fsync.
   * The deliveries stay leased (and renewed) until recorded.
   */
  private readonly recording = new Map<number, { run: Promise<void>; ids: string[] }>();
  private launches = 0;
  private readonly shutdown = new AbortController();
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private limiter?: RateLimiter;
  private breaker?: CircuitBreaker;
  private digest?: DigestScheduler;
  /** The receiver's throttle (the dispatcher hands it to the next worker, should the destination come back). */
  readonly throttle: Throttle;

  constructor(
    private dest: DestinationConfig,
    private readonly deps: WorkerDeps,
  ) {
    // Every send in flight and every outcome waiting to be recorded listens for shutdown: no leak at 11 or more.
    setMaxListeners(0, this.shutdown.signal);
    this.throttle = deps.throttle ?? new Throttle(() => this.dest.delivery.backoff.maxMs);
    this.configureControls();
  }

  /** The breaker's and the throttle's state now: `closed` and unpaused when there is nothing to report. */
  controls(): ControlsSnapshot {
    const now = this.deps.clock.now();
    return { ...(this.breaker?.snapshot(now) ?? { state: 'closed' }), ...this.throttle.snapshot(now) };
  }

  /** The destination's name. */
  get name(): string {
    return this.dest.name;
  }

  /** The destination's circuit breaker, when it has one (read-only use: the operator's view). */
  get circuit(): CircuitBreaker | undefined {
    return this.breaker;
  }

  /** Number of sends in progress. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Starts the claim loop. */
  start(): void {
    this.loop = this.run();
    const leaseMs = this.leaseMs();
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(1000, Math.floor(leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Swaps in a rebuilt destination (config reload). Sends in flight finish with the old one. */
  update(dest: DestinationConfig): void {
    const controlsChanged =
      JSON.stringify([dest.rateLimit, dest.circuitBreaker, dest.group]) !==
      JSON.stringify([this.dest.rateLimit, this.dest.circuitBreaker, this.dest.group]);
    this.dest = dest;
    if (controlsChanged) this.configureControls();
    this.wake();
  }

  /** Ends a sleep early: new work may be due. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming, lets sends in flight finish until `deadline` (epoch ms), aborts the rest, and puts every
   * delivery still leased by this worker back in the queue.
   */
  async stop(deadline: number): Promise<void> {
    this.stopping = true;
    this.wake();
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.loop;
    const rest = Math.max(0, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, rest);
      }),
    ]);
    clearTimeout(timer);
    this.shutdown.abort();
    await this.settled();
  }

  /** Resolves when every send in progress has ended and every outcome has been recorded (or abandoned). */
  private async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.run));
    await Promise.allSettled([...this.recording.values()].map((f) => f.run));
  }

  private configureControls(): void {
    const now = this.deps.clock.now();
    const { rateLimit, circuitBreaker } = this.dest;
    this.limiter = rateLimit ? new RateLimiter(rateLimit.count, rateLimit.perMs, now) : undefined;
    const name = this.dest.name;
    this.breaker = circuitBreaker
      ? new CircuitBreaker(circuitBreaker.failures, circuitBreaker.cooldownMs, (change) =>
          this.deps.observer.breakerChanged?.(name, change),
        )
      : undefined;
    this.digest = this.dest.group ? new DigestScheduler(this.dest.group) : undefined;
  }

  private leaseMs(): number {
    return this.dest.delivery.timeoutMs + LEASE_MARGIN_MS;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let waitMs: number;
      try {
        waitMs = await this.fill();
      } catch (err) {
        this.deps.observer.workerError(this.dest.name, err);
        waitMs = Math.min(this.deps.pollMs, 1000);
      }
      if (this.stopping) break;
      if (waitMs > 0) await this.sleep(waitMs);
    }
  }

  /** Claims and launches what may start now; returns how long to sleep before looking again. */
  private async fill(): Promise<number> {
    const { store, clock, pollMs } = this.deps;
    const name = this.dest.name;
    if (this.deps.isPaused(name)) return pollMs;
    const now = clock.now();
    const { concurrency } = this.dest.delivery;
    // Claim in batches: with sends in flight, wait until half the slots are free, so a busy destination costs
    // one claim per several deliveries instead of one per delivery.
    // Outcomes waiting for the store beyond one round of slots count as busy slots: a slow store slows claims.
    const free = concurrency - this.inFlight.size - Math.max(0, this.recording.size - concurrency);
    if (this.inFlight.size > 0 && free < Math.ceil(concurrency / 2)) return pollMs;
    const capacity = Math.min(
      free,
      this.limiter?.available(now) ?? Number.POSITIVE_INFINITY,
      this.breaker?.allowance(now, this.inFlight.size) ?? Number.POSITIVE_INFINITY,
      this.throttle.allowance(now),
    );
    if (capacity <= 0) {
      // Woken early when a send finishes; otherwise wait for the rate limit, the breaker or the throttle.
      const waits = [
        pollMs,
        this.limiter?.waitMs(now) || pollMs,
        this.breaker?.waitMs(now) || pollMs,
        this.throttle.waitMs(now) || pollMs,
      ];
      return free <= 0 ? pollMs : Math.max(1, Math.min(...waits));
    }
    if (this.digest) {
      if (await this.fillDigests(this.digest, capacity, now)) return 0;
    } else {
      const claimed = await store.claim({
        destination: name,
        limit: capacity,
        owner: this.deps.owner,
        leaseMs: this.leaseMs(),
        now: new Date(now),
      });
      for (const delivery of claimed) this.launch([delivery]);
      if (claimed.length === capacity) return 0;
    }
    const next = await store.nextDue({ destination: name });
    if (next === null) return pollMs;
    return Math.max(1, Math.min(pollMs, next.getTime() - clock.now()));
  }

  /**
   * Digest mode: claims a batch, sends each group whose turn has come as one message (up to `capacity`
   * groups), and puts the rest back until their group's time. Returns true when more may be due right away.
   */
  private async fillDigests(digest: DigestScheduler, capacity: number, now: number): Promise<boolean> {
    const { store, owner } = this.deps;
    const claimed = await store.claim({
      destination: this.dest.name,
      limit: DIGEST_BATCH,
      owner,
      leaseMs: this.leaseMs(),
      now: new Date(now),
    });
    const plan = digest.plan(claimed, now);
    const later = plan.send.slice(capacity); // no free slot now: back in the queue, due at once
    for (const group of plan.send.slice(0, capacity)) this.launch(group.deliveries, group.key);
    const deferrals = [
      ...plan.defer,
      ...later.map((g) => ({ ids: g.deliveries.map((d) => d.id), until: now })),
    ];
    for (const { ids, until } of deferrals)
      await store.defer({ ids, owner, until: new Date(until), now: new Date(now) });
    return claimed.length === DIGEST_BATCH;
  }

  /** Starts one send: a single delivery, or a digest of one group's deliveries. */
  private launch(deliveries: ClaimedDelivery[], digestKey?: string): void {
    const now = this.deps.clock.now();
    this.limiter?.take(now);
    this.breaker?.started();
    this.throttle.started(now);
    // Marked at launch, so events of this group claimed while it is in flight wait for the next interval.
    if (digestKey !== undefined) this.digest?.sent(digestKey, now);
    // By launch, not delivery id: an attempt still recording its outcome (store away longer than the lease) may
    // meet a new launch of the same delivery, and neither may drop the other's entry.
    const key = ++this.launches;
    const ids = deliveries.map((d) => d.id);
    const failed = (err: unknown) => this.deps.observer.workerError(this.dest.name, err);
    const run = this.attempt(deliveries, digestKey !== undefined)
      .then((outcome) => {
        if (!outcome) return;
        const recorded = outcome.recorded.catch(failed).finally(() => {
          this.recording.delete(key);
          this.wake();
        });
        this.recording.set(key, { run: recorded, ids });
      })
      .catch(failed)
      .finally(() => {
        this.inFlight.delete(key);
        this.wake();
      });
    this.inFlight.set(key, { run, ids });
  }

  /**
   * One attempt: send once with a timeout (one event, or a digest), then decide per delivery. Resolves when the
   * exchange has ended, with the recording of its outcome still under way (`recorded`); nothing when shutdown
   * interrupted the send.
   */
  private async attempt(
    deliveries: ClaimedDelivery[],
    digest: boolean,
  ): Promise<{ recorded: Promise<void> } | undefined> {
    const dest = this.dest;
    const first = deliveries[0];
    const number = Math.max(...deliveries.map((d) => d.attempts)) + 1;
    const limits = { timeoutMs: dest.delivery.timeoutMs, target: dest.destination.target };
    const sent = await sendOnce(limits, this.shutdown.signal, this.deps.clock, (signal) => {
      const info = { number, deliveryId: first.id, signal };
      if (!digest) return dest.destination.send(first.event, info);
      // The config loader refuses group: for plugins without sendDigest; sending only the first event here
      // would mark the whole group delivered, so a missing method must fail the attempt loudly instead.
      if (!dest.destination.sendDigest)
        throw new Error(`${dest.name} is grouped but its plugin has no sendDigest`);
      return dest.destination.sendDigest(
        deliveries.map((d) => d.event),
        info,
      );
    });
    // Interrupted by shutdown: not a verdict on the destination. The lease is released and it is sent again later.
    if (sent === 'interrupted') return undefined;
    const { failure, started, finished } = sent;
    if (failure === undefined) this.throttle.succeeded();
    if (failure?.kind === 'throttled') {
      const wasPaused = this.throttle.resumeAt > finished;
      const resumeAt = this.throttle.throttled(started, finished, failure.retryAfterMs);
      if (!wasPaused) this.deps.observer.throttled?.(this.dest.name, this.controls(), failure);
      sent.resumeAt = resumeAt;
    }
    this.breaker?.record(
      failure === undefined ? true : failure.kind === 'transient' ? false : 'ignore',
      finished,
    );
    return { recorded: Promise.all(deliveries.map((d) => this.record(d, sent))).then(() => {}) };
  }

  /** Applies the retry policy to one delivery after a send and records the attempt (and any fallbacks). */
  private async record(delivery: ClaimedDelivery, sent: Sent): Promise<void> {
    let { failure } = sent;
    const { started, finished, resumeAt } = sent;
    const dest = this.dest;
    const number = delivery.attempts + 1;
    const durationMs = finished - started;
    const facts = { number, firstAttemptAt: delivery.firstAttemptAt ?? started, now: finished, resumeAt };
    if (failure && this.deps.redact) failure = { ...failure, message: this.deps.redact(failure.message) };
    const verdict = failure
      ? afterFailure(dest.delivery, facts, failure, this.deps.random)
      : { outcome: 'delivered' as const, next: { state: 'delivered' as const }, delayMs: undefined };
    const stored = await untilStored(
      () =>
        this.deps.store.complete({
          deliveryId: delivery.id,
          owner: this.deps.owner,
          attempt: {
            number,
            startedAt: new Date(started),
            durationMs,
            outcome: verdict.outcome,
            reason: failure?.message,
            statusCode: failure?.statusCode,
          },
          next: verdict.next,
          now: new Date(finished),
          fallback: dest.fallback,
        }),
      {
        signal: this.shutdown.signal,
        failed: (err, tries) => this.deps.observer.bookkeepingFailed?.(dest.name, delivery.id, err, tries),
      },
    );
    // Shutdown while the store was away: the lease lapses (or is released) and the delivery is sent again.
    if (stored === 'abandoned') return;
    const leaseHeld = stored;
    const ended = verdict.outcome === 'failed' || verdict.outcome === 'dead';
    if (leaseHeld && ended && dest.fallback.length > 0) this.deps.enqueued(dest.fallback);
    this.deps.observer.attempt({
      destination: dest.name,
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      // As the attempt log numbers it: after a replay, numbering continues from the attempts before.
      number: number + (delivery.attemptOffset ?? 0),
      outcome: verdict.outcome,
      durationMs,
      failure,
      retryInMs: verdict.delayMs,
      leaseHeld,
    });
  }

  private async renewLeases(): Promise<void> {
    if (this.inFlight.size === 0 && this.recording.size === 0) return;
    try {
      const now = new Date(this.deps.clock.now());
      const ids = [...this.inFlight.values(), ...this.recording.values()].flatMap((f) => f.ids);
      await this.deps.store.renewLeases({ ids, owner: this.deps.owner, leaseMs: this.leaseMs(), now });
    } catch (err) {
      this.deps.observer.workerError(this.dest.name, err);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
