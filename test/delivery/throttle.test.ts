import { expect } from 'chai';
import { CircuitBreaker } from '../../src/delivery/controls.ts';
import { DEFAULT_THROTTLE_PAUSE_MS, Throttle } from '../../src/delivery/throttle.ts';

describe('destination throttle', () => {
  it('pauses the whole destination until Retry-After, then paces at half the rate that was refused', () => {
    const throttle = new Throttle(15 * 60_000);
    for (const t of [0, 10, 20, 30]) throttle.started(t);
    expect(throttle.allowance(30)).to.equal(Number.POSITIVE_INFINITY);
    expect(throttle.throttled(0, 100, 1000)).to.equal(1100);
    expect(throttle.allowance(500)).to.equal(0);
    expect(throttle.waitMs(500)).to.equal(600);
    // Four sends in the last second were too many: two per second from now on.
    expect(throttle.allowance(1100)).to.equal(1);
    throttle.started(1100);
    expect(throttle.allowance(1200)).to.equal(0);
    expect(throttle.waitMs(1200)).to.equal(400);
    expect(throttle.snapshot(1200)).to.deep.equal({ ratePerSecond: 2 });
  });

  it('halves the pace once per throttled round, not once per send that was already in flight', () => {
    const throttle = new Throttle(60_000);
    for (const t of [0, 1, 2, 3]) throttle.started(t);
    throttle.throttled(0, 50, 1000);
    throttle.throttled(1, 51, 1000);
    throttle.throttled(2, 52, 1000);
    expect(throttle.snapshot(60).ratePerSecond).to.equal(2);
    throttle.started(1100);
    throttle.throttled(1100, 1150, 1000);
    expect(throttle.snapshot(1160).ratePerSecond).to.equal(1);
  });

  it('raises the pace a little with every success (additive increase) until pacing no longer matters', () => {
    const throttle = new Throttle(60_000);
    throttle.started(0);
    throttle.throttled(0, 10, 1000);
    const before = throttle.snapshot(2000).ratePerSecond!;
    for (let i = 0; i < 20; i++) throttle.succeeded();
    expect(throttle.snapshot(2000).ratePerSecond).to.be.closeTo(before + 1, 1e-9);
  });

  it('drops pacing after ten quiet minutes without a throttle', () => {
    const throttle = new Throttle(60_000);
    throttle.started(0);
    throttle.throttled(0, 10, 1000);
    expect(throttle.allowance(5 * 60_000)).to.equal(1);
    expect(throttle.snapshot(5 * 60_000).ratePerSecond).to.equal(0.5);
    expect(throttle.allowance(11 * 60_000)).to.equal(Number.POSITIVE_INFINITY);
    expect(throttle.snapshot(11 * 60_000)).to.deep.equal({});
  });

  it('pauses for a default when the destination said not how long, and never for less than 250 ms', () => {
    const throttle = new Throttle(60_000);
    expect(throttle.throttled(0, 0, undefined)).to.equal(DEFAULT_THROTTLE_PAUSE_MS);
    const eager = new Throttle(60_000);
    expect(eager.throttled(0, 0, 0)).to.equal(250);
  });

  it('never paces slower than one send per backoff.max, however many throttles in a row', () => {
    const throttle = new Throttle(10_000);
    let now = 0;
    for (let i = 0; i < 8; i++) {
      throttle.started(now);
      now = throttle.throttled(now, now + 50, 3000);
    }
    expect(throttle.snapshot(now).ratePerSecond).to.equal(0.1);
    throttle.started(now);
    expect(throttle.waitMs(now)).to.equal(10_000);
  });

  it('caps a huge Retry-After at the longest backoff', () => {
    const throttle = new Throttle(15 * 60_000);
    expect(throttle.throttled(0, 0, 86_400_000)).to.equal(15 * 60_000);
    expect(throttle.snapshot(1000).throttledUntil).to.equal(new Date(15 * 60_000).toISOString());
  });
});

describe('circuit breaker', () => {
  it('tells its listener when it opens, half-opens and closes, and shows when it reopens', () => {
    const changes: string[] = [];
    const breaker = new CircuitBreaker(2, 1000, (c) =>
      changes.push(`${c.from}->${c.state}${c.openUntil ? ` until ${c.openUntil}` : ''}`),
    );
    breaker.record(false, 0);
    expect(breaker.snapshot(0)).to.deep.equal({ state: 'closed' });
    breaker.record(false, 10);
    breaker.record(false, 20); // in flight when it opened: moves the reopening only
    expect(breaker.snapshot(30)).to.deep.equal({ state: 'open', openUntil: new Date(1020).toISOString() });
    expect(breaker.allowance(1020, 0)).to.equal(1);
    breaker.started();
    breaker.record(true, 1100);
    expect(changes).to.deep.equal([
      `closed->open until ${new Date(1010).toISOString()}`,
      'open->half-open',
      'half-open->closed',
    ]);
  });

  it('is not moved by throttling or permanent failures', () => {
    const changes: string[] = [];
    const breaker = new CircuitBreaker(1, 1000, (c) => changes.push(c.state));
    breaker.record('ignore', 0);
    breaker.record('ignore', 1);
    expect(breaker.snapshot(2)).to.deep.equal({ state: 'closed' });
    expect(changes).to.deep.equal([]);
  });
});
