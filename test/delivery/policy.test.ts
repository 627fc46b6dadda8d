import { expect } from 'chai';
import { DEFAULT_DELIVERY } from '../../src/config/schema.ts';
import type { DeliverySettings } from '../../src/config/types.ts';
import { afterFailure } from '../../src/delivery/policy.ts';
import type { SendFailure } from '../../src/destinations/errors.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const down: SendFailure = {
  kind: 'transient',
  message: 'answered 503',
  reason: 'server_error',
  statusCode: 503,
};
const slowDown: SendFailure = { kind: 'throttled', message: 'answered 429', reason: 'rate_limited' };

/**
 * Plays a destination that fails until `healthyAt` on a fake clock, with the policy's own schedule: each attempt
 * happens at the time the previous verdict chose. Answers every attempt's time and the final outcome.
 */
function playOutage(settings: DeliverySettings, healthyAt: number, random = () => 1) {
  let now = 0;
  const times: number[] = [];
  for (let number = 1; ; number++) {
    times.push(now);
    if (now >= healthyAt) return { outcome: 'delivered', times };
    const verdict = afterFailure(settings, { number, firstAttemptAt: 0, now: now + 10 }, down, random);
    if (verdict.next.state !== 'pending') return { outcome: verdict.outcome, times };
    now = verdict.next.nextAt.getTime();
  }
}

describe('retry policy', () => {
  it('delivers after a 10-minute outage with the defaults, dead-lettering nothing', () => {
    for (const random of [() => 1, () => 0.5, () => 0.01]) {
      const { outcome, times } = playOutage(DEFAULT_DELIVERY, 10 * MINUTE, random);
      expect(outcome).to.equal('delivered');
      expect(times.at(-1)).to.be.at.least(10 * MINUTE);
    }
  });

  it('keeps retrying for a day by default, then gives the delivery up as dead', () => {
    const { outcome, times } = playOutage(DEFAULT_DELIVERY, Number.POSITIVE_INFINITY);
    expect(outcome).to.equal('dead');
    // The last retry lands when the budget ends, not one backoff short of it.
    expect(times.at(-1)).to.equal(24 * HOUR);
    // 1s, 2s, 4s … capped at 15 minutes: about 10 attempts in the first 17 minutes, then 4 an hour.
    expect(times.length).to.be.within(100, 110);
  });

  it('ends at the first of retryFor and attempts', () => {
    const byAttempts = playOutage({ ...DEFAULT_DELIVERY, attempts: 3 }, Number.POSITIVE_INFINITY);
    expect(byAttempts).to.deep.include({ outcome: 'dead' });
    expect(byAttempts.times).to.have.length(3);
    const byTime = playOutage(
      { ...DEFAULT_DELIVERY, attempts: 50, retryForMs: MINUTE },
      Number.POSITIVE_INFINITY,
    );
    expect(byTime.outcome).to.equal('dead');
    expect(byTime.times.at(-1)).to.equal(MINUTE);
  });

  it('always chooses a retry time a Date can hold, however long the durations', () => {
    const forever = 99_999_999_999 * 86_400_000;
    const settings = {
      ...DEFAULT_DELIVERY,
      retryForMs: forever,
      backoff: { initialMs: forever, maxMs: forever, multiplier: 2, jitter: false },
    };
    const now = Date.UTC(2026, 0, 1);
    const verdict = afterFailure(settings, { number: 1, firstAttemptAt: now, now }, down);
    if (verdict.next.state !== 'pending') throw new Error(`expected a retry, got ${verdict.next.state}`);
    expect(Number.isNaN(verdict.next.nextAt.getTime())).to.equal(false);
    expect(verdict.next.nextAt.getTime()).to.equal(8.64e15);
    expect(verdict.delayMs).to.equal(8.64e15 - now);
  });

  it('caps a Retry-After at backoff.max and at the end of the budget', () => {
    const settings = { ...DEFAULT_DELIVERY, retryForMs: HOUR };
    const huge = afterFailure(
      settings,
      { number: 1, firstAttemptAt: 0, now: 0 },
      { ...down, retryAfterMs: 86_400_000 },
    );
    expect(huge.delayMs).to.equal(15 * MINUTE);
    const late = afterFailure(
      settings,
      { number: 2, firstAttemptAt: 0, now: HOUR - 1000 },
      { ...down, retryAfterMs: MINUTE },
    );
    expect(late.delayMs).to.equal(1000);
  });

  it('puts a throttled delivery back until the pause ends, without spending attempts', () => {
    const settings = { ...DEFAULT_DELIVERY, attempts: 1, retryForMs: 6 * HOUR };
    const verdict = afterFailure(
      settings,
      { number: 1, firstAttemptAt: 0, now: 5 * HOUR, resumeAt: 5 * HOUR + 3000 },
      slowDown,
    );
    expect(verdict.outcome).to.equal('throttled');
    expect(verdict.next).to.deep.equal({ state: 'pending', nextAt: new Date(5 * HOUR + 3000) });
  });

  it('ends a delivery throttled for longer than retryFor as dead, so it reaches the dead letters and its fallback (found by an attack: pending for ever)', () => {
    const settings = { ...DEFAULT_DELIVERY, attempts: 1, retryForMs: HOUR };
    const verdict = afterFailure(
      settings,
      { number: 40, firstAttemptAt: 0, now: HOUR, resumeAt: HOUR + 3000 },
      slowDown,
    );
    expect(verdict).to.deep.equal({ outcome: 'dead', next: { state: 'dead' } });
  });

  it('fails a permanent failure at once, whatever the budget', () => {
    const verdict = afterFailure(
      DEFAULT_DELIVERY,
      { number: 1, firstAttemptAt: 0, now: 0 },
      {
        kind: 'permanent',
        message: 'answered 400',
        reason: 'client_error',
      },
    );
    expect(verdict).to.deep.equal({ outcome: 'failed', next: { state: 'failed' } });
  });
});
