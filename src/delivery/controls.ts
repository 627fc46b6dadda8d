/**
 * Per-destination delivery controls kept in memory by the worker: a token-bucket rate limit and a circuit
 * breaker. Both work on an injected clock (milliseconds) so they are testable without waiting.
 */

/** Sends allowed per window, retries included (`rateLimit: 10/s`). */
export class RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly count: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = count;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.count, this.tokens + (elapsed * this.count) / this.perMs);
    this.updatedAt = now;
  }

  /** How many sends may start now (whole tokens). */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  /** Takes one token; call once per send actually started. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** Milliseconds until the next whole token. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * this.perMs) / this.count);
  }
}

/** Circuit states, as in the usual closed → open → half-open cycle. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A breaker's state as operators see it. `openUntil`: when an open breaker lets a probe through (ISO). */
export interface BreakerSnapshot {
  state: CircuitState;
  openUntil?: string;
}

/** Told of every state change, with the snapshot after it (for logs and metrics). */
export type BreakerListener = (change: { from: CircuitState } & BreakerSnapshot) => void;

/** Opens after `failures` straight failures; after `cooldownMs` lets one probe through; a success closes it. */
export class CircuitBreaker {
  private straightFailures = 0;
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = 'closed';

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly onChange: BreakerListener = () => {},
  ) {}

  /** The state now (an open breaker whose cooldown has passed reads as half-open). */
  state(now: number): CircuitState {
    if (this.current === 'open' && now - this.openedAt >= this.cooldownMs) this.moveTo('half-open');
    return this.current;
  }

  /** How many sends may start now: unlimited when closed, one probe when half-open, none when open. */
  allowance(now: number, inFlight: number): number {
    const state = this.state(now);
    if (state === 'closed') return Number.POSITIVE_INFINITY;
    if (state === 'half-open') return this.probing || inFlight > 0 ? 0 : 1;
    return 0;
  }

  /** Marks that the half-open probe has started. */
  started(): void {
    if (this.current === 'half-open') this.probing = true;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  waitMs(now: number): number {
    return this.current === 'open' ? Math.max(0, this.openedAt + this.cooldownMs - now) : 0;
  }

  /** Records a send's result. Permanent failures and throttling say nothing about health and are ignored. */
  record(ok: boolean | 'ignore', now: number): void {
    if (ok === 'ignore') {
      this.probing = false;
      return;
    }
    if (ok) {
      this.straightFailures = 0;
      if (this.current !== 'closed') this.moveTo('closed');
    } else {
      this.straightFailures++;
      if (this.current === 'half-open' || this.straightFailures >= this.failures) {
        this.openedAt = now;
        this.moveTo('open');
      }
    }
    this.probing = false;
  }

  /** The state for logs, readiness and the admin API. */
  snapshot(now: number): BreakerSnapshot {
    const state = this.state(now);
    return state === 'open'
      ? { state, openUntil: new Date(this.openedAt + this.cooldownMs).toISOString() }
      : { state };
  }

  private moveTo(state: CircuitState): void {
    const from = this.current;
    this.current = state;
    if (from === state) return; // an open breaker failing again only moves its reopening time
    const openUntil = state === 'open' ? new Date(this.openedAt + this.cooldownMs).toISOString() : undefined;
    this.onChange({ from, state, ...(openUntil !== undefined && { openUntil }) });
  }
}
