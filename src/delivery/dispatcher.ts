import type { Clock } from '../clock.ts';
import { graceMs as graceMsOf } from '../config/coordinator.ts';
import type { Config } from '../config/types.ts';
import type { Store } from '../store/types.ts';
import type { CircuitBreaker } from './controls.ts';
import type { DeliveryObserver } from './observer.ts';
import type { Throttle } from './throttle.ts';
import { type ControlsSnapshot, DestinationWorker } from './worker.ts';

/**
 * The one "deliveries enqueued" signal: whoever adds deliveries to the queue (ingest's group commit, a replay,
 * a redecode, a worker's fallbacks) names the destinations that got them, or `'all'` when it cannot tell (a
 * replay by filter), and their workers stop sleeping. Nothing else wakes a worker.
 */
export type EnqueuedSignal = (destinations: Iterable<string> | 'all') => void;

/** What the dispatcher needs. */
export interface DispatcherDeps {
  store: Store;
  owner: string;
  clock: Clock;
  observer: DeliveryObserver;
  /** Longest idle sleep of a worker (default 1 s). */
  pollMs?: number;
  random?: () => number;
  /** Hides secrets in failure messages before they are stored (see WorkerDeps.redact). */
  redact?: (text: string) => string;
}

/**
 * Runs one worker per configured destination and keeps that set in step with the config. A destination removed
 * by a reload keeps its queued deliveries in the store (held) until it comes back or an operator acts.
 */
export class Dispatcher {
  private readonly workers = new Map<string, DestinationWorker>();
  /**
   * The throttles of destinations a reload removed: one that comes back keeps honouring its receiver's
   * Retry-After (a fresh one sent at once, found by an attack). A few objects per removed name.
   */
  private readonly retiredThrottles = new Map<string, Throttle>();
  private paused = new Set<string>();
  private pausedTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Starts workers for the config's destinations (and keeps the operator's pauses in sync with the store). */
  async start(config: Config): Promise<void> {
    this.running = true;
    await this.refreshPaused();
    this.pausedTimer = setInterval(() => void this.refreshPaused(), this.deps.pollMs ?? 1000);
    this.pausedTimer.unref();
    await this.apply(config);
  }

  /** Whether workers are running (for /readyz). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Destination names that currently have a worker. */
  get destinations(): string[] {
    return [...this.workers.keys()];
  }

  /** Each destination's breaker and throttle state, by destination name (read-only snapshot). */
  controls(): Record<string, ControlsSnapshot> {
    return Object.fromEntries([...this.workers].map(([name, w]) => [name, w.controls()]));
  }

  /** The circuit breaker of a running destination, if it has one. */
  breaker(destination: string): CircuitBreaker | undefined {
    return this.workers.get(destination)?.circuit;
  }

  /**
   * Brings the workers in line with a new config: update kept ones, start new ones, stop removed ones, which may
   * finish their in-flight sends for `graceMs` (config/coordinator.ts graceMs: the reload's one grace rule).
   */
  async apply(config: Config, graceMs = graceMsOf(config)): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const [name, worker] of this.workers) {
      const dest = config.destinations.get(name);
      if (dest) continue;
      this.workers.delete(name);
      this.retiredThrottles.set(name, worker.throttle);
      stops.push(worker.stop(Date.now() + graceMs));
    }
    for (const [name, dest] of config.destinations) {
      const existing = this.workers.get(name);
      if (existing) {
        existing.update(dest);
        continue;
      }
      const worker = new DestinationWorker(dest, {
        store: this.deps.store,
        owner: this.deps.owner,
        clock: this.deps.clock,
        observer: this.deps.observer,
        pollMs: this.deps.pollMs ?? 1000,
        random: this.deps.random,
        redact: this.deps.redact,
        isPaused: (d) => this.paused.has(d),
        enqueued: this.enqueued,
        throttle: this.retiredThrottles.get(name),
      });
      this.retiredThrottles.delete(name);
      this.workers.set(name, worker);
      worker.start();
    }
    await Promise.all(stops);
  }

  /** The "deliveries enqueued" signal (see EnqueuedSignal), handed to every part that adds deliveries. */
  readonly enqueued: EnqueuedSignal = (destinations) =>
    this.wake(destinations === 'all' ? this.workers.keys() : destinations);

  private wake(destinations: Iterable<string>): void {
    for (const name of destinations) this.workers.get(name)?.wake();
  }

  /**
   * Stops every worker: in-flight sends may finish until `deadline`; the rest stays queued. Answers how many
   * deliveries were still held and were put back (sent again after a restart: at-least-once).
   */
  async stop(deadline: number): Promise<number> {
    this.running = false;
    if (this.pausedTimer) clearInterval(this.pausedTimer);
    await Promise.all([...this.workers.values()].map((w) => w.stop(deadline)));
    this.workers.clear();
    // Leases not released (store down) simply expire, and those deliveries are sent again then.
    return this.deps.store.releaseAll({ owner: this.deps.owner, now: new Date(this.deps.clock.now()) });
  }

  /** Re-reads the operator's pauses from the store now (after a pause/resume through this instance). */
  async refreshPaused(): Promise<void> {
    try {
      const next = new Set(
        await this.deps.store.pausedDestinations({ now: new Date(this.deps.clock.now()) }),
      );
      const resumed = [...this.paused].filter((d) => !next.has(d));
      this.paused = next;
      // A resumed route may hold deliveries for any destination.
      this.wake(resumed.some((d) => d.startsWith('route:')) ? this.workers.keys() : resumed);
    } catch (err) {
      this.deps.observer.workerError('*', err);
    }
  }
}
