/**
 * Throttling of guesses at the admin token, per client address: the console's login form and a wrong
 * `Authorization: Bearer` on the admin API count alike. After `maxFailures` failures within `windowMs`, the
 * address is refused (429 with Retry-After) for `blockMs`, doubled at each further block (up to `maxBlockMs`)
 * until the address has gone `maxBlockMs` without failing. A success resets the address.
 *
 * Per address rather than per account, as Grafana's users asked (grafana#12836): with one shared token, locking
 * the "account" would let anyone lock every operator out; locking an address stops only that address. While an
 * address is refused even the right token is: otherwise the guessing would go on, just more quietly. Kept in
 * this process, like the console's logged-out sessions; bounded to `maxAddresses` (the oldest forgotten first).
 */

import type { Log } from '../observability/log.ts';

/** The knobs; the defaults are the production values. */
export interface ThrottleOptions {
  /** Where the start of each block is logged (a warning naming the address, never what was typed). */
  log?: Log;
  /** Failures within `windowMs` that start a block. Default 5. */
  maxFailures?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** The first block. Default 60 s. */
  blockMs?: number;
  /** The longest block, and how long an address must go without failing to start again from `blockMs`. Default 1 h. */
  maxBlockMs?: number;
  /** Default 10,000. */
  maxAddresses?: number;
}

/** Refused, and for how long (whole seconds, for Retry-After). */
export interface Blocked {
  retryAfterS: number;
}

interface AddressState {
  failures: number[];
  blockedUntil: number;
  /** How many blocks this address has had in a row (for the doubling). */
  blocks: number;
  lastFailure: number;
}

/** Failed-login bookkeeping for one listener's worth of clients. */
export class AuthThrottle {
  private readonly states = new Map<string, AddressState>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly maxBlockMs: number;
  private readonly maxAddresses: number;
  private readonly log: Log | undefined;

  constructor(options: ThrottleOptions = {}) {
    this.log = options.log;
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.maxBlockMs = options.maxBlockMs ?? 3_600_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** Whether the address is refused now, and for how long. */
  blocked(address: string, now: number): Blocked | undefined {
    const state = this.states.get(address);
    if (!state || state.blockedUntil <= now) return undefined;
    return { retryAfterS: Math.ceil((state.blockedUntil - now) / 1000) };
  }

  /**
   * Counts a failure (`via`: where, for the log: `console login`, `admin API`); answers the block it started, if
   * it started one, which is logged once as a warning.
   */
  failed(address: string, now: number, via: string): Blocked | undefined {
    const state = this.states.get(address) ?? { failures: [], blockedUntil: 0, blocks: 0, lastFailure: 0 };
    if (now - Math.max(state.lastFailure, state.blockedUntil) > this.maxBlockMs) state.blocks = 0;
    state.lastFailure = now;
    state.failures = state.failures.filter((at) => now - at < this.windowMs);
    state.failures.push(now);
    let started: Blocked | undefined;
    if (state.failures.length >= this.maxFailures) {
      const length = Math.min(this.maxBlockMs, this.blockMs * 2 ** state.blocks);
      state.blocks++;
      state.failures = [];
      state.blockedUntil = now + length;
      started = { retryAfterS: Math.ceil(length / 1000) };
      this.log?.warn(
        { ip: address, via, failures: this.maxFailures, retryAfterS: started.retryAfterS },
        `admin token guesses throttled: ${this.maxFailures} wrong tokens from ${address} within ${this.windowMs / 1000} s; its attempts get 429 for ${started.retryAfterS} s`,
      );
    }
    this.states.delete(address); // re-inserted last: the Map's order is the order of last failure
    this.states.set(address, state);
    if (this.states.size > this.maxAddresses) this.states.delete(this.states.keys().next().value as string);
    return started;
  }

  /** A success: the address starts afresh. */
  succeeded(address: string): void {
    this.states.delete(address);
  }
}
