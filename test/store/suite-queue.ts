import { expect } from 'chai';
import type { Store } from '../../src/store/types.ts';
import { at, attempt, type Harness, ingestOne, request } from './fixtures.ts';

const LEASE = 30_000;

/** Back to pending at `nextAt`. */
const pending = (nextAt: Date) => ({ state: 'pending' as const, nextAt });

/** Ingests `n` events with one delivery each to `destination`; answers the delivery ids in claim order. */
async function seed(store: Store, n: number, destination = 'crm'): Promise<string[]> {
  const batch = Array.from({ length: n }, () => request(at(0), { to: [destination] }));
  await store.ingest({ batch, now: at(0) });
  const page = await store.listDeliveries({ filter: { destination }, limit: n + 1 });
  return page.items.map((d) => d.id).reverse();
}

/** The claim queue: leases, completion, retries, release and pause. */
export function queueScenarios(h: Harness): void {
  describe('claim', () => {
    it('hands out due deliveries in order, with their event, and marks them sending', async () => {
      const store = await h.open();
      const { id, req } = await ingestOne(store, at(0), { to: ['crm', 'audit'] });
      const claimed = await store.claim({
        destination: 'crm',
        limit: 10,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      expect(claimed).to.have.length(1);
      expect(claimed[0]).to.include({ eventId: id, destination: 'crm', route: 'main', attempts: 0 });
      expect(claimed[0].event).to.deep.equal(req.event);
      const [row] = (await store.listDeliveries({ filter: { destination: 'crm' }, limit: 10 })).items;
      expect(row.state).to.equal('sending');
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w2', leaseMs: LEASE, now: at(1) }),
      ).to.deep.equal([]);
    });

    it('respects the limit and the order by nextAt, then id', async () => {
      const store = await h.open();
      const ids = await seed(store, 5);
      const first = await store.claim({
        destination: 'crm',
        limit: 2,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      expect(first.map((c) => c.id)).to.deep.equal(ids.slice(0, 2));
      const rest = await store.claim({
        destination: 'crm',
        limit: 10,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      expect(rest.map((c) => c.id)).to.deep.equal(ids.slice(2));
    });

    it('takes exactly the limit when it is large, leaving the rest pending in order (SQLite rounds the query limit up)', async () => {
      const store = await h.open();
      const ids = await seed(store, 150);
      const claim = (limit: number) =>
        store.claim({ destination: 'crm', limit, owner: 'w1', leaseMs: LEASE, now: at(0) });
      // 65 and 70 are above the limits SQLite writes exactly (it asks for 128 rows and takes the first ones).
      expect((await claim(65)).map((c) => c.id)).to.deep.equal(ids.slice(0, 65));
      expect((await claim(70)).map((c) => c.id)).to.deep.equal(ids.slice(65, 135));
      const states = (await store.listDeliveries({ filter: { destination: 'crm' }, limit: 200 })).items;
      expect(states.filter((d) => d.state === 'sending')).to.have.length(135);
      expect(states.filter((d) => d.state === 'pending')).to.have.length(15);
      expect((await claim(64)).map((c) => c.id)).to.deep.equal(ids.slice(135));
    });

    it('never gives one delivery to two concurrent claimers on separate store instances', async () => {
      const a = await h.open();
      const b = await h.open({ shareWith: a });
      const ids = await seed(a, 120);
      const claimAll = async (store: Store, owner: string) => {
        const got: string[] = [];
        for (;;) {
          const batch = await store.claim({
            destination: 'crm',
            limit: 7,
            owner,
            leaseMs: LEASE,
            now: at(10),
          });
          if (batch.length === 0) return got;
          got.push(...batch.map((c) => c.id));
        }
      };
      const [fromA, fromB, fromA2, fromB2] = await Promise.all([
        claimAll(a, 'a1'),
        claimAll(b, 'b1'),
        claimAll(a, 'a2'),
        claimAll(b, 'b2'),
      ]);
      const all = [...fromA, ...fromB, ...fromA2, ...fromB2];
      expect(new Set(all).size).to.equal(all.length);
      expect([...all].sort()).to.deep.equal([...ids].sort());
    });

    it('reclaims a delivery whose lease expired, for another owner', async () => {
      const store = await h.open();
      const [id] = await seed(store, 1);
      await store.claim({ destination: 'crm', limit: 1, owner: 'crashed', leaseMs: LEASE, now: at(0) });
      expect(
        await store.claim({ destination: 'crm', limit: 1, owner: 'w2', leaseMs: LEASE, now: at(LEASE - 1) }),
      ).to.deep.equal([]);
      expect(
        await store.claim({ destination: 'crm', limit: 1, owner: 'w2', leaseMs: LEASE, now: at(LEASE) }),
      ).to.deep.equal([]);
      const reclaimed = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w2',
        leaseMs: LEASE,
        now: at(LEASE + 1),
      });
      expect(reclaimed.map((c) => c.id)).to.deep.equal([id]);
    });

    it('does not reclaim a renewed lease, and renews only what the owner holds', async () => {
      const store = await h.open();
      const [mine, theirs] = await seed(store, 2);
      await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(0) });
      await store.claim({ destination: 'crm', limit: 1, owner: 'w2', leaseMs: LEASE, now: at(0) });
      const renewed = await store.renewLeases({
        ids: [mine, theirs, 'unknown'],
        owner: 'w1',
        leaseMs: LEASE,
        now: at(LEASE - 1),
      });
      expect(renewed).to.deep.equal([mine]);
      const reclaimed = await store.claim({
        destination: 'crm',
        limit: 10,
        owner: 'w3',
        leaseMs: LEASE,
        now: at(LEASE + 1),
      });
      expect(reclaimed.map((c) => c.id)).to.deep.equal([theirs]);
      expect(await store.renewLeases({ ids: [], owner: 'w1', leaseMs: LEASE, now: at(0) })).to.deep.equal([]);
    });

    it('does not claim for a paused destination until it is resumed', async () => {
      const store = await h.open();
      await seed(store, 2);
      await seed(store, 1, 'audit');
      await store.setPaused({ destination: 'crm', paused: true });
      await store.setPaused({ destination: 'crm', paused: true });
      expect(await store.pausedDestinations()).to.deep.equal(['crm']);
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w1', leaseMs: LEASE, now: at(0) }),
      ).to.deep.equal([]);
      expect(
        await store.claim({ destination: 'audit', limit: 10, owner: 'w1', leaseMs: LEASE, now: at(0) }),
      ).to.have.length(1);
      const other = await h.open({ shareWith: store });
      expect(await other.pausedDestinations()).to.deep.equal(['crm']);
      await store.setPaused({ destination: 'crm', paused: false });
      expect(await store.pausedDestinations()).to.deep.equal([]);
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w1', leaseMs: LEASE, now: at(0) }),
      ).to.have.length(2);
    });

    it('holds only the deliveries of a paused route, without blocking the rest of the destination', async () => {
      const store = await h.open();
      const held = await ingestOne(store, at(0), { to: ['crm'] });
      const other = request(at(1));
      other.deliveries = [{ destination: 'crm', route: 'other' }];
      await store.ingest({ batch: [other], now: at(1) });
      await store.setPaused({ destination: 'route:main', paused: true });
      const claimed = await store.claim({
        destination: 'crm',
        limit: 10,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(2),
      });
      expect(claimed.map((c) => c.route)).to.deep.equal(['other']);
      await store.setPaused({ destination: 'route:main', paused: false });
      expect(
        (await store.claim({ destination: 'crm', limit: 10, owner: 'w1', leaseMs: LEASE, now: at(3) })).map(
          (c) => c.eventId,
        ),
      ).to.deep.equal([held.id]);
    });

    it('defers held deliveries to a later time without recording an attempt', async () => {
      const store = await h.open();
      const ids = await seed(store, 2);
      await store.claim({ destination: 'crm', limit: 2, owner: 'w1', leaseMs: LEASE, now: at(0) });
      expect(await store.defer({ ids, owner: 'someone-else', until: at(100), now: at(1) })).to.equal(0);
      expect(await store.defer({ ids, owner: 'w1', until: at(100), now: at(1) })).to.equal(2);
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w2', leaseMs: LEASE, now: at(99) }),
      ).to.deep.equal([]);
      const later = await store.claim({
        destination: 'crm',
        limit: 10,
        owner: 'w2',
        leaseMs: LEASE,
        now: at(100),
      });
      expect(later.map((c) => [c.id, c.attempts])).to.deep.equal(ids.map((id) => [id, 0]));
    });

    it('answers nothing for a limit below 1', async () => {
      const store = await h.open();
      await seed(store, 1);
      expect(
        await store.claim({ destination: 'crm', limit: 0, owner: 'w1', leaseMs: LEASE, now: at(0) }),
      ).to.deep.equal([]);
    });
  });

  describe('complete', () => {
    it('records the attempt and moves a held delivery to its final state', async () => {
      const store = await h.open();
      await seed(store, 3);
      const claimed = await store.claim({
        destination: 'crm',
        limit: 3,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      const outcomes = ['delivered', 'failed', 'dead'] as const;
      for (const [i, c] of claimed.entries()) {
        const reason = outcomes[i] === 'delivered' ? undefined : `${outcomes[i]} because`;
        const ok = await store.complete({
          deliveryId: c.id,
          owner: 'w1',
          attempt: attempt(1, outcomes[i], at(1), reason),
          next: { state: outcomes[i] },
          now: at(2),
        });
        expect(ok).to.equal(true);
      }
      for (const [i, c] of claimed.entries()) {
        const detail = await store.getEvent({ id: c.eventId });
        const d = detail!.deliveries[0];
        expect(d).to.include({
          state: outcomes[i],
          attempts: 1,
          nextAt: null,
          updatedAt: at(2).toISOString(),
        });
        expect(d.lastError).to.equal(outcomes[i] === 'delivered' ? null : `${outcomes[i]} because`);
        expect(d.attemptLog).to.have.length(1);
        expect(d.attemptLog[0]).to.include({
          deliveryId: c.id,
          number: 1,
          durationMs: 12,
          outcome: outcomes[i],
        });
        expect(d.attemptLog[0].startedAt).to.equal(at(1).toISOString());
      }
      expect(
        await store.claim({
          destination: 'crm',
          limit: 10,
          owner: 'w2',
          leaseMs: LEASE,
          now: at(LEASE * 10),
        }),
      ).to.deep.equal([]);
    });

    it('records a throttled try without counting it; the first try of any kind starts the retry budget', async () => {
      const store = await h.open();
      const { id } = await ingestOne(store, at(0), { to: ['crm'] });
      const [first] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      expect(first.firstAttemptAt).to.equal(undefined);
      await store.complete({
        deliveryId: first.id,
        owner: 'w1',
        attempt: attempt(1, 'throttled', at(1), 'slow down'),
        next: pending(at(5)),
        now: at(2),
      });
      const [second] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(5),
      });
      // A receiver that throttles every call must still run out of retryFor (delivery/policy.ts).
      expect(second).to.include({ attempts: 0, firstAttemptAt: at(1).getTime() });
      await store.complete({
        deliveryId: second.id,
        owner: 'w1',
        attempt: attempt(1, 'retry', at(6), 'down'),
        next: pending(at(10)),
        now: at(7),
      });
      const [third] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(10),
      });
      expect(third).to.include({ attempts: 1, firstAttemptAt: at(1).getTime() });
      await store.complete({
        deliveryId: third.id,
        owner: 'w1',
        attempt: attempt(2, 'throttled', at(11), 'slow down'),
        next: pending(at(20)),
        now: at(12),
      });
      const [fourth] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(20),
      });
      expect(fourth).to.include({ attempts: 1, firstAttemptAt: at(1).getTime() });
      const log = (await store.getEvent({ id }))!.deliveries[0].attemptLog;
      expect(log.map((a) => a.outcome)).to.deep.equal(['throttled', 'retry', 'throttled']);
    });

    it('starts the retry budget again when a dead delivery is replayed', async () => {
      const store = await h.open();
      await ingestOne(store, at(0), { to: ['crm'] });
      const [c] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      await store.complete({
        deliveryId: c.id,
        owner: 'w1',
        attempt: attempt(1, 'dead', at(1), 'down'),
        next: { state: 'dead' },
        now: at(2),
      });
      expect(await store.replay({ ids: [c.id], now: at(100) })).to.equal(1);
      const [again] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(100),
      });
      expect(again).to.include({ attempts: 0 });
      expect(again.firstAttemptAt).to.equal(undefined);
    });

    it('adds fallback deliveries in the same step when a delivery ends failed or dead, once per destination', async () => {
      const store = await h.open();
      const { id } = await ingestOne(store, at(0), { to: ['crm', 'audit'] });
      const [crm] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      const fallback = ['mail', 'audit'];
      expect(
        await store.complete({
          deliveryId: crm.id,
          owner: 'w1',
          attempt: attempt(1, 'failed', at(1), 'no'),
          next: { state: 'failed' },
          now: at(2),
          fallback,
        }),
      ).to.equal(true);
      const detail = await store.getEvent({ id });
      const byDestination = Object.fromEntries(detail!.deliveries.map((d) => [d.destination, d]));
      expect(Object.keys(byDestination).sort()).to.deep.equal(['audit', 'crm', 'mail']); // audit had one already
      expect(byDestination.mail).to.include({ state: 'pending', attempts: 0, route: 'fallback from crm' });
      const claimed = await store.claim({
        destination: 'mail',
        limit: 5,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(3),
      });
      expect(claimed.map((c) => c.eventId)).to.deep.equal([id]);
    });

    it('adds no fallback deliveries for a delivered one or a retry', async () => {
      const store = await h.open();
      const { id } = await ingestOne(store, at(0), { to: ['crm'] });
      const [crm] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      await store.complete({
        deliveryId: crm.id,
        owner: 'w1',
        attempt: attempt(1, 'retry', at(1), 'x'),
        next: { state: 'pending', nextAt: at(5) },
        now: at(1),
        fallback: ['mail'],
      });
      const [again] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(5),
      });
      await store.complete({
        deliveryId: again.id,
        owner: 'w1',
        attempt: attempt(2, 'delivered', at(6)),
        next: { state: 'delivered' },
        now: at(6),
        fallback: ['mail'],
      });
      expect((await store.getEvent({ id }))!.deliveries.map((d) => d.destination)).to.deep.equal(['crm']);
    });

    it('keeps a retried delivery out of claims until its nextAt passes', async () => {
      const store = await h.open();
      const [id] = await seed(store, 1);
      await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(0) });
      const ok = await store.complete({
        deliveryId: id,
        owner: 'w1',
        attempt: attempt(1, 'retry', at(0), 'HTTP 503'),
        next: {
          state: 'pending',
          nextAt: at(5_000),
        },
        now: at(10),
      });
      expect(ok).to.equal(true);
      const [row] = (await store.listDeliveries({ filter: { destination: 'crm' }, limit: 10 })).items;
      expect(row).to.include({
        state: 'pending',
        attempts: 1,
        lastError: 'HTTP 503',
        nextAt: at(5_000).toISOString(),
      });
      expect(await store.nextDue({ destination: 'crm' })).to.deep.equal(at(5_000));
      expect(
        await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(4_999) }),
      ).to.deep.equal([]);
      const again = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(5_000),
      });
      expect(again.map((c) => ({ id: c.id, attempts: c.attempts }))).to.deep.equal([{ id, attempts: 1 }]);
      await store.complete({
        deliveryId: id,
        owner: 'w1',
        attempt: attempt(2, 'delivered', at(5_000)),
        next: { state: 'delivered' },
        now: at(5_001),
      });
      const detail = await store.getEvent({ id: again[0].eventId });
      expect(detail!.deliveries[0].attemptLog.map((a) => [a.number, a.outcome])).to.deep.equal([
        [1, 'retry'],
        [2, 'delivered'],
      ]);
      expect(detail!.deliveries[0].attemptLog[0]).to.include({ reason: 'HTTP 503', statusCode: 503 });
    });

    it('answers false when the lease was lost, still recording the attempt', async () => {
      const store = await h.open();
      const [id] = await seed(store, 1);
      await store.claim({ destination: 'crm', limit: 1, owner: 'slow', leaseMs: LEASE, now: at(0) });
      const [taken] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'fast',
        leaseMs: LEASE,
        now: at(LEASE + 1),
      });
      const ok = await store.complete({
        deliveryId: id,
        owner: 'slow',
        attempt: attempt(1, 'delivered', at(0)),
        next: { state: 'delivered' },
        now: at(LEASE + 2),
      });
      expect(ok).to.equal(false);
      const detail = await store.getEvent({ id: taken.eventId });
      expect(detail!.deliveries[0]).to.include({ state: 'sending', attempts: 0 });
      expect(detail!.deliveries[0].attemptLog).to.have.length(1);
      expect(
        await store.complete({
          deliveryId: id,
          owner: 'fast',
          attempt: attempt(1, 'delivered', at(LEASE + 1)),
          next: { state: 'delivered' },
          now: at(LEASE + 3),
        }),
      ).to.equal(true);
      expect(
        await store.complete({
          deliveryId: id,
          owner: 'fast',
          attempt: attempt(2, 'delivered', at(LEASE + 1)),
          next: { state: 'delivered' },
          now: at(LEASE + 4),
        }),
      ).to.equal(false);
    });
  });

  describe('releaseAll and nextDue', () => {
    it("puts the owner's held deliveries back to pending, due as before (first in line again), attempts unchanged, others untouched", async () => {
      const store = await h.open();
      const [a, b, c] = await seed(store, 3);
      await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(0) });
      await store.complete({
        deliveryId: a,
        owner: 'w1',
        attempt: attempt(1, 'retry', at(0), 'boom'),
        next: { state: 'pending', nextAt: at(100) },
        now: at(1),
      });
      // Claim order is nextAt then id: b and c (due at 0) come before the retried a (due at 100).
      await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(100) });
      await store.claim({ destination: 'crm', limit: 1, owner: 'w2', leaseMs: LEASE, now: at(100) });
      await store.claim({ destination: 'crm', limit: 1, owner: 'w1', leaseMs: LEASE, now: at(100) });
      expect(await store.releaseAll({ owner: 'w1', now: at(200) })).to.equal(2);
      const rows = (await store.listDeliveries({ filter: { destination: 'crm' }, limit: 10 })).items;
      const byId = new Map(rows.map((r) => [r.id, r]));
      // Released at shutdown, they keep their due time: after a restart they go before events that came later.
      expect(byId.get(a)).to.include({ state: 'pending', attempts: 1, nextAt: at(100).toISOString() });
      expect(byId.get(b)).to.include({ state: 'pending', attempts: 0, nextAt: at(0).toISOString() });
      expect(byId.get(c)).to.include({ state: 'sending' });
      expect(await store.releaseAll({ owner: 'w1', now: at(300) })).to.equal(0);
    });

    it('answers the earliest pending nextAt of a destination, or null', async () => {
      const store = await h.open();
      expect(await store.nextDue({ destination: 'crm' })).to.equal(null);
      const [a] = await seed(store, 2);
      expect(await store.nextDue({ destination: 'crm' })).to.deep.equal(at(0));
      await store.claim({ destination: 'crm', limit: 2, owner: 'w1', leaseMs: LEASE, now: at(0) });
      expect(await store.nextDue({ destination: 'crm' })).to.equal(null);
      await store.complete({
        deliveryId: a,
        owner: 'w1',
        attempt: attempt(1, 'retry', at(0)),
        next: { state: 'pending', nextAt: at(9_000) },
        now: at(1),
      });
      expect(await store.nextDue({ destination: 'crm' })).to.deep.equal(at(9_000));
      expect(await store.nextDue({ destination: 'audit' })).to.equal(null);
    });
  });
}
