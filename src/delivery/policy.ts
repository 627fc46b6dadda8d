import type { DeliverySettings } from '../config/types.ts';
import type { SendFailure } from '../destinations/errors.ts';
import type { AttemptRecord, NextState } from '../store/types.ts';

/**
 * The retry policy, in one place (contract §7). Destinations only report how one send went; this decides what
 * happens next: delivered, retry at T (exponential backoff with full jitter, capped; Retry-After honoured and
 * capped), throttled (back in the queue when the destination's pause ends, no attempt spent), failed
 * (permanent), or dead (the retry budget is spent: `retryFor` since the first attempt, or `attempts`; a
 * throttled delivery only by `retryFor`).
 */

/** The backoff before attempt `nextNumber` (2 for the first retry), before jitter. */
export function backoffCeiling(settings: DeliverySettings, nextNumber: number): number {
  const { initialMs, maxMs, multiplier } = settings.backoff;
  const exp = initialMs * multiplier ** Math.max(0, nextNumber - 2);
  return Math.min(maxMs, exp);
}

/** The delay before the next attempt after a transient failure of attempt `number`. */
export function retryDelay(
  settings: DeliverySettings,
  number: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.backoff.maxMs);
  const ceiling = backoffCeiling(settings, number + 1);
  // Full jitter (AWS architecture blog): spreads retries of a burst evenly instead of in synchronized waves.
  return settings.backoff.jitter ? Math.round(random() * ceiling) : ceiling;
}

/**
 * The latest time a Date holds (epoch ms, ±8.64e15). The config bounds every duration, yet a retry time is
 * clamped here too: an unrepresentable one became an Invalid Date, stored as next_at NULL, never retried.
 */
export const LATEST_TIME_MS = 8.64e15;

/** The time `delayMs` after `now`, always a valid Date (a delay that is not a number means now). */
function timeAfter(now: number, delayMs: number): Date {
  const delay = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
  return new Date(Math.min(now + delay, LATEST_TIME_MS));
}

/** What the policy knows about one delivery's attempt. */
export interface AttemptFacts {
  /** This attempt's number (1 for the first). */
  number: number;
  /** Epoch ms of the delivery's first attempt (this one's start when it is the first): the budget's start. */
  firstAttemptAt: number;
  /** Epoch ms when this attempt ended. */
  now: number;
  /** For a throttled attempt: epoch ms when the destination's pause ends. */
  resumeAt?: number;
}

/** The policy's verdict: the attempt's outcome and the delivery's next state. */
export interface Verdict {
  outcome: AttemptRecord['outcome'];
  next: NextState;
  delayMs?: number;
}

/** What the queue does after an attempt failed. */
export function afterFailure(
  settings: DeliverySettings,
  facts: AttemptFacts,
  failure: SendFailure,
  random: () => number = Math.random,
): Verdict {
  const { number, now } = facts;
  if (failure.kind === 'permanent') return { outcome: 'failed', next: { state: 'failed' } };
  const budgetEnd = facts.firstAttemptAt + settings.retryForMs;
  // Being asked to slow down is not a failure: no attempt is spent. Only the time budget ends it, so a receiver
  // that throttles for longer than `retryFor` (an exhausted quota, a 429 on every call) ends in the dead
  // letters, where it is seen and its fallback runs, instead of staying pending without a word.
  if (failure.kind === 'throttled') {
    if (now >= budgetEnd) return { outcome: 'dead', next: { state: 'dead' } };
    const at = timeAfter(now, (facts.resumeAt ?? now) - now);
    return { outcome: 'throttled', next: { state: 'pending', nextAt: at }, delayMs: at.getTime() - now };
  }
  const outOfAttempts = settings.attempts > 0 && number >= settings.attempts;
  if (outOfAttempts || now >= budgetEnd) return { outcome: 'dead', next: { state: 'dead' } };
  // The last retry happens when the budget ends rather than never: a long backoff must not waste its tail.
  const at = timeAfter(
    now,
    Math.min(retryDelay(settings, number, failure.retryAfterMs, random), budgetEnd - now),
  );
  return { outcome: 'retry', next: { state: 'pending', nextAt: at }, delayMs: at.getTime() - now };
}
