/**
 * Per-destination throttling: what the worker does when a destination says "slow down" (HTTP 429, Slack
 * `ratelimited`). The whole destination pauses until the provider's Retry-After (every delivery to it, not
 * only the one that was told), then resumes at a pace that adapts: halved at each throttle, raised a little
 * after each success (AIMD, as TCP congestion control and Vector's adaptive request concurrency do).
 *
 * Why: with the pause on the one delivery only, a burst of 30 events against Slack's 1 message/s made 255
 * calls in 9.5 s and ended 20 deliveries dead (issue 14; Alertmanager's Slack 429 issue is the same failure,
 * and Slack disables apps that keep sending while limited).
 *
 * In memory, per process and per destination, on an injected clock (epoch ms).
 */

/** The pause when a throttle gives no usable Retry-After (Slack's documented waits are 1 s to a minute). */
export const DEFAULT_THROTTLE_PAUSE_MS = 5_000;
/** The shortest pause: a `Retry-After: 0` must not become a tight loop. */
const MIN_PAUSE_MS = 250;
/** The slowest pace the decrease goes down to: one send per minute (or per backoff.max, if shorter). */
const MIN_RATE_PER_S = 1 / 60;
/**
 * What a throttle multiplies the pace by (TCP's 0.5). Measured against a 1/s Slack stand-in, 30 events:
 * 0.5 gave 4 429s in 45 s, 0.75 gave 8 in 40 s (test/delivery/throttling.test.ts): fewer refusals matter
 * more, since Slack disables apps that keep sending while limited.
 */
const DECREASE = 0.5;
/** What each success adds to the pace, in sends per second (the additive increase). */
const INCREASE_PER_SUCCESS = 0.05;
/** Once the pace is above this, pacing no longer matters and is dropped (unpaced again). */
const UNPACED_ABOVE_PER_S = 1000;
/** After this long without a throttle, pacing is dropped (the provider's limit may have been a burst's). */
const QUIET_MS = 10 * 60_000;
/** How far back sends are counted to estimate the pace that got throttled. */
const WINDOW_MS = 1_000;

/** A throttle's state as operators see it. */
export interface ThrottleSnapshot {
  /** ISO time the destination's pause ends, while it is paused. */
  throttledUntil?: string;
  /** Sends per second allowed while recovering from a throttle; absent when unpaced. */
  ratePerSecond?: number;
}

/** One destination's throttle: a pause and an adaptive pace. */
export class Throttle {
  private pausedUntil = 0;
  /** Sends per second, or undefined when unpaced. */
  private rate: number | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly recentStarts: number[] = [];

  /** `maxPauseMs`: the longest pause (the destination's `backoff.max`), read at each throttle so a reload applies. */
  constructor(private readonly maxPauseMs: number | (() => number)) {}

  /** How many sends may start now: none while paused, one per interval while paced, else unlimited. */
  allowance(now: number): number {
    if (now < this.pausedUntil) return 0;
    if (this.rate !== undefined && now - this.lastDecrease > QUIET_MS) this.rate = undefined;
    if (this.rate === undefined) return Number.POSITIVE_INFINITY;
    return now - this.lastStart >= 1000 / this.rate ? 1 : 0;
  }

  /** Milliseconds until a send may start (0 when one may start now). */
  waitMs(now: number): number {
    const paced = this.rate === undefined ? 0 : this.lastStart + 1000 / this.rate - now;
    return Math.max(0, this.pausedUntil - now, Math.ceil(paced));
  }

  /** Records that a send started. */
  started(now: number): void {
    this.lastStart = now;
    this.recentStarts.push(now);
    while (this.recentStarts.length > 0 && this.recentStarts[0] < now - WINDOW_MS) this.recentStarts.shift();
  }

  /**
   * A send that started at `startedAt` was throttled at `now`, told to wait `retryAfterMs` (undefined: not
   * said or unreadable). Pauses the destination and slows the pace, once per throttled round: the sends
   * that were already in flight when the first 429 came back say nothing new.
   * Returns the epoch ms when sends may resume.
   */
  throttled(startedAt: number, now: number, retryAfterMs: number | undefined): number {
    const max = typeof this.maxPauseMs === 'function' ? this.maxPauseMs() : this.maxPauseMs;
    const pause = Math.min(max, Math.max(MIN_PAUSE_MS, retryAfterMs ?? DEFAULT_THROTTLE_PAUSE_MS));
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    if (startedAt >= this.lastDecrease) {
      const current = this.rate ?? this.observedRate(now);
      // Never slower than one send per backoff.max: a paced wait longer than the longest backoff would be one.
      this.rate = Math.max(MIN_RATE_PER_S, 1000 / max, current * DECREASE);
      this.lastDecrease = now;
    }
    return this.pausedUntil;
  }

  /** A send went through: the pace creeps back up (additive increase). */
  succeeded(): void {
    if (this.rate === undefined) return;
    this.rate += INCREASE_PER_SUCCESS;
    if (this.rate > UNPACED_ABOVE_PER_S) this.rate = undefined;
  }

  /** When the destination's pause ends (epoch ms; in the past when not paused). */
  get resumeAt(): number {
    return this.pausedUntil;
  }

  /** The state for logs, readiness and the admin API. */
  snapshot(now: number): ThrottleSnapshot {
    return {
      ...(now < this.pausedUntil && { throttledUntil: new Date(this.pausedUntil).toISOString() }),
      ...(this.rate !== undefined && { ratePerSecond: Math.round(this.rate * 1000) / 1000 }),
    };
  }

  /** Sends per second over the last window: the pace that was too fast. */
  private observedRate(now: number): number {
    const since = now - WINDOW_MS;
    const count = this.recentStarts.filter((t) => t >= since).length;
    return Math.max(1, count) / (WINDOW_MS / 1000);
  }
}
