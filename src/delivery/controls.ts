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

/** Opens after `failures` straight failures; after `cooldownMs` lets one probe through; a success closes it. */
export class CircuitBreaker {
  private straightFailures = 0;
  private openedAt = 0;
  private probing = false;
  state: CircuitState = 'closed';

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
  ) {}

  /** How many sends may start now: unlimited when closed, one probe when half-open, none when open. */
  allowance(now: number, inFlight: number): number {
    if (this.state === 'open' && now - this.openedAt >= this.cooldownMs) this.state = 'half-open';
    if (this.state === 'closed') return Number.POSITIVE_INFINITY;
    if (this.state === 'half-open') return this.probing || inFlight > 0 ? 0 : 1;
    return 0;
  }

  /** Marks that the half-open probe has started. */
  started(): void {
    if (this.state === 'half-open') this.probing = true;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  waitMs(now: number): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.cooldownMs - now) : 0;
  }

  /** Records a send's result. Permanent failures say nothing about the destination's health and are ignored. */
  record(ok: boolean | 'ignore', now: number): void {
    if (ok === 'ignore') {
      this.probing = false;
      return;
    }
    if (ok) {
      this.straightFailures = 0;
      this.state = 'closed';
    } else {
      this.straightFailures++;
      if (this.state === 'half-open' || this.straightFailures >= this.failures) {
        this.state = 'open';
        this.openedAt = now;
      }
    }
    this.probing = false;
  }
}
