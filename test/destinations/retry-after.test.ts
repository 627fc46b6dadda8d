import { expect } from 'chai';
import {
  classifyFailure,
  parseRetryAfter,
  RetryAfterError,
  TransientError,
} from '../../src/destinations/errors.ts';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('Retry-After', () => {
  const cases: Array<[string, string | null, number | undefined]> = [
    ['delta-seconds', '7', 7000],
    ['decimal seconds (Discord)', '0.25', 250],
    ['zero', '0', 0],
    ['an IMF-fixdate 90 s ahead', 'Mon, 30 Nov 2026 12:01:30 GMT', 90_000],
    ['an obsolete RFC 850 date', 'Monday, 30-Nov-26 12:00:10 GMT', 10_000],
    ['an asctime date', 'Mon Nov 30 12:00:05 2026', 5000],
    ['a date in the past', 'Sun, 29 Nov 2026 12:00:00 GMT', 0],
    ['a huge number of seconds, read as a day', '99999999999', 86_400_000],
    ['-1 (Date.parse reads a date in 2001)', '-1', undefined],
    ['garbage', 'soon-ish', undefined],
    ['a bare year', '2026', 2_026_000],
    ['an ISO date (not an HTTP date)', '2026-11-30T12:01:00Z', undefined],
    ['empty', '', undefined],
    ['absent', null, undefined],
  ];
  for (const [what, value, ms] of cases) {
    it(`reads ${what} as ${ms === undefined ? 'unreadable' : `${ms} ms`}`, () => {
      expect(parseRetryAfter(value, NOW)).to.equal(ms);
    });
  }
});

describe('failure classification', () => {
  it('reads a rate limit as throttled, keeping its Retry-After', () => {
    const failure = classifyFailure(new RetryAfterError('429', 3000, { statusCode: 429 }));
    expect(failure).to.include({ kind: 'throttled', retryAfterMs: 3000, statusCode: 429 });
  });

  it('reads a rate limit without Retry-After as throttled too (the pause then has a default)', () => {
    const failure = classifyFailure(new TransientError('429', { statusCode: 429, reason: 'rate_limited' }));
    expect(failure).to.include({ kind: 'throttled', retryAfterMs: undefined });
  });

  it('reads a 503 with Retry-After as a transient failure with a hint, not a throttle', () => {
    const failure = classifyFailure(
      new RetryAfterError('503', 3000, { statusCode: 503, reason: 'server_error' }),
    );
    expect(failure).to.include({ kind: 'transient', retryAfterMs: 3000 });
  });
});
