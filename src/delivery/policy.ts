import type { DeliverySettings } from '../config/types.ts';
import type { SendFailure } from '../destinations/errors.ts';
import type { AttemptRecord, NextState } from '../store/types.ts';

/**
 * The retry policy, in one place (contract §7). Destinations only report how one send went; this decides what
 * happens next: delivered, retry at T (exponential backoff with full jitter, capped; Retry-After honoured and
 * capped), failed (permanent), or dead (attempts exhausted).
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

/** What the queue does after attempt `number` failed. */
export function afterFailure(
  settings: DeliverySettings,
  number: number,
  failure: SendFailure,
  now: number,
  random: () => number = Math.random,
): { outcome: AttemptRecord['outcome']; next: NextState; delayMs?: number } {
  if (failure.kind === 'permanent') return { outcome: 'failed', next: { state: 'failed' } };
  if (number >= settings.attempts) return { outcome: 'dead', next: { state: 'dead' } };
  const delayMs = retryDelay(settings, number, failure.retryAfterMs, random);
  return { outcome: 'retry', next: { state: 'pending', nextAt: new Date(now + delayMs) }, delayMs };
}
