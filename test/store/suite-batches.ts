import { expect } from 'chai';
import type { GatewayEvent } from '../../src/event.ts';
import type { IngestRequest, IngestResult, Store } from '../../src/store/types.ts';
import { at, attempt, type Harness, ingestOne, request } from './fixtures.ts';

/** Every stored event, all pages. */
async function allEvents(store: Store): Promise<GatewayEvent[]> {
  const events: GatewayEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listEvents({ filter: {}, limit: 200, cursor });
    events.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return events;
}

/** Pending deliveries per destination. */
async function pending(store: Store): Promise<Record<string, number>> {
  const { depth } = await store.queueStats({ now: at(0) });
  return Object.fromEntries(depth.filter((d) => d.state === 'pending').map((d) => [d.destination, d.count]));
}

/** Ingest batches: dedupe inside one batch and between batches running at once, and large batches. */
export function batchScenarios(h: Harness): void {
  describe('ingest batches', () => {
    const windowMs = 60_000;

    it('answers each request of a mixed batch: new, live duplicates, an expired key taken over, in-batch twins', async () => {
      const store = await h.open();
      const live = await ingestOne(store, at(0), { body: 'live', windowMs });
      const expired = await ingestOne(store, at(0), { body: 'expired', windowMs: 1_000 });
      const now = at(2_000);
      const batch = [
        request(now, { body: 'new', windowMs }),
        request(now, { body: 'live', windowMs }),
        request(now, { body: 'expired', windowMs }),
        request(now, { body: 'twin', windowMs }),
        request(now, { body: 'expired', windowMs }),
        request(now, { body: 'twin', windowMs }),
        request(now, { body: 'live', windowMs }),
        request(now, { body: 'live', windowMs: 0 }),
      ];
      const results = await store.ingest({ batch, now });
      const fresh = (i: number): IngestResult => ({ id: batch[i].event.id, duplicate: false });
      expect(results).to.deep.equal([
        fresh(0),
        { id: live.id, duplicate: true },
        fresh(2),
        fresh(3),
        { id: batch[2].event.id, duplicate: true },
        { id: batch[3].event.id, duplicate: true },
        { id: live.id, duplicate: true },
        fresh(7),
      ]);
      const stored = (await allEvents(store)).map((e) => e.id).sort();
      expect(stored).to.deep.equal(
        [live.id, expired.id, ...[0, 2, 3, 7].map((i) => batch[i].event.id)].sort(),
      );
      for (const i of [1, 4, 5, 6]) expect(await store.getEvent({ id: batch[i].event.id })).to.equal(null);
      expect(await pending(store)).to.deep.equal({ crm: 6 });
      // The taken-over key now belongs to the new event, for its own window.
      const again = await ingestOne(store, at(2_001), { body: 'expired', windowMs });
      expect(again).to.include({ id: batch[2].event.id, duplicate: true });
    });

    it('commits a batch of 500 with its deliveries, answering each request in order', async () => {
      const store = await h.open();
      const earlier = await ingestOne(store, at(0), { body: 'body 7', windowMs });
      const now = at(1);
      // 400 distinct bodies, then 100 repeating bodies 0-99; body 7 was also seen in an earlier batch.
      const batch = Array.from({ length: 500 }, (_, i) =>
        request(now, { body: `body ${i % 400}`, windowMs, to: ['a', 'b'] }),
      );
      const results = await store.ingest({ batch, now });
      expect(results).to.have.length(500);
      results.forEach((r, i) => {
        const body = i % 400;
        const original = body === 7 ? earlier.id : batch[body].event.id;
        expect(r).to.deep.equal({ id: original, duplicate: i !== body || body === 7 });
      });
      expect(await allEvents(store)).to.have.length(400);
      expect(await pending(store)).to.deep.equal({ a: 399, b: 399, crm: 1 });
    });

    it('lets exactly one event per body through when batches of two instances overlap, each delivered once', async () => {
      const store = await h.open();
      const other = await h.open({ shareWith: store });
      const bodies = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => `b${from + i}`);
      const batchOf = (names: string[]): IngestRequest[] =>
        names.map((body) => request(at(0), { body, windowMs, to: ['a', 'b'] }));
      // Overlapping bodies in opposite orders, several batches per instance, all at once.
      const runs: Array<[Store, IngestRequest[]]> = [
        [store, batchOf(bodies(0, 100))],
        [other, batchOf(bodies(50, 150).reverse())],
        [store, batchOf([...bodies(100, 150), ...bodies(0, 25)])],
        [other, batchOf(bodies(0, 150).reverse())],
        [store, batchOf(bodies(120, 150))],
      ];
      const answers = await Promise.all(runs.map(([s, batch]) => s.ingest({ batch, now: at(0) })));
      const byBody = new Map<string, IngestResult[]>();
      runs.forEach(([, batch], r) => {
        batch.forEach((req, i) => {
          const body = (req.event.payload as { body: string }).body;
          byBody.set(body, [...(byBody.get(body) ?? []), answers[r][i]]);
        });
      });
      expect(byBody.size).to.equal(150);
      for (const [body, results] of byBody) {
        const fresh = results.filter((r) => !r.duplicate);
        expect(fresh, body).to.have.length(1);
        expect(new Set(results.map((r) => r.id)), body).to.deep.equal(new Set([fresh[0].id]));
      }
      const stored = await allEvents(other);
      expect(stored.map((e) => e.id).sort()).to.deep.equal(
        [...byBody.values()].map((results) => results.find((r) => !r.duplicate)!.id).sort(),
      );
      expect(await pending(store)).to.deep.equal({ a: 150, b: 150 });
    });
  });

  describe('completion batches', () => {
    const LEASE = 60_000;

    it('answers each completion made at once: delivered, retried, throttled, lease lost, fallback, twice, after a replay', async () => {
      // Made in one turn, so a store that commits completions together (PostgreSQL, the SQLite thread) gets
      // them as one batch, and each caller must still get its own answer and its own effect.
      const store = await h.open();
      for (let i = 0; i < 7; i++) await ingestOne(store, at(0), { to: ['crm'] });
      let claimed = await store.claim({
        destination: 'crm',
        limit: 7,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      // The last one is replayed once first, so its attempts are numbered on from an earlier one.
      const replayed = claimed[6];
      await store.complete({
        deliveryId: replayed.id,
        owner: 'w1',
        attempt: attempt(1, 'dead', at(1), 'gone'),
        next: { state: 'dead' },
        now: at(1),
      });
      await store.replay({ ids: [replayed.id], now: at(2) });
      const [again] = await store.claim({
        destination: 'crm',
        limit: 1,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(3),
      });
      claimed = [...claimed.slice(0, 6), again];
      const [delivered, retried, throttled, lost, dead, twice, after] = claimed;
      const complete = (d: (typeof claimed)[number], o: Partial<Parameters<Store['complete']>[0]> = {}) =>
        store.complete({
          deliveryId: d.id,
          owner: 'w1',
          attempt: attempt(d.attempts + 1, 'delivered', at(10)),
          next: { state: 'delivered' },
          now: at(11),
          ...o,
        });
      const answers = await Promise.all([
        complete(delivered),
        complete(retried, {
          attempt: attempt(1, 'retry', at(10), 'down \u0000 with a NUL'),
          next: { state: 'pending', nextAt: at(500) },
        }),
        complete(throttled, {
          attempt: attempt(1, 'throttled', at(10), 'slow'),
          next: { state: 'pending', nextAt: at(90) },
        }),
        complete(lost, { owner: 'someone else' }),
        complete(dead, {
          attempt: attempt(1, 'dead', at(10), 'no'),
          next: { state: 'dead' },
          fallback: ['audit'],
        }),
        complete(twice),
        complete(twice),
        complete(after),
      ]);
      expect(answers).to.deep.equal([true, true, true, false, true, true, false, true]);
      const detail = async (d: (typeof claimed)[number]) => (await store.getEvent({ id: d.eventId }))!;
      const one = async (d: (typeof claimed)[number]) =>
        (await detail(d)).deliveries.find((x) => x.destination === 'crm')!;
      expect(await one(delivered)).to.include({ state: 'delivered', attempts: 1, lastError: null });
      const r = await one(retried);
      expect(r).to.include({ state: 'pending', attempts: 1, nextAt: at(500).toISOString() });
      expect(r.lastError).to.match(/^down .+ with a NUL$/);
      expect(await one(throttled)).to.include({
        state: 'pending',
        attempts: 0,
        nextAt: at(90).toISOString(),
      });
      const l = await one(lost);
      expect(l).to.include({ state: 'sending', attempts: 0 });
      expect(l.attemptLog).to.have.length(1); // the attempt is kept though the lease was not held
      expect(await one(dead)).to.include({ state: 'dead' });
      expect((await detail(dead)).deliveries.map((x) => x.destination).sort()).to.deep.equal([
        'audit',
        'crm',
      ]);
      const t = await one(twice);
      expect(t).to.include({ state: 'delivered', attempts: 1 });
      const a = await one(after);
      expect(a).to.include({ state: 'delivered', attempts: 2 });
      expect(a.attemptLog.map((x) => [x.number, x.outcome])).to.deep.equal([
        [1, 'dead'],
        [2, 'delivered'],
      ]);
    });

    it('fails only the completion a store refuses, not the others committed with it', async () => {
      const store = await h.open();
      for (let i = 0; i < 3; i++) await ingestOne(store, at(0), { to: ['crm'] });
      const claimed = await store.claim({
        destination: 'crm',
        limit: 3,
        owner: 'w1',
        leaseMs: LEASE,
        now: at(0),
      });
      // A duration PostgreSQL's integer column cannot hold (SQLite can): refused there, stored here.
      const odd = { ...attempt(1, 'delivered', at(10)), durationMs: 2 ** 40 };
      const answers = await Promise.allSettled(
        claimed.map((d, i) =>
          store.complete({
            deliveryId: d.id,
            owner: 'w1',
            attempt: i === 1 ? odd : attempt(1, 'delivered', at(10)),
            next: { state: 'delivered' },
            now: at(11),
          }),
        ),
      );
      expect([answers[0], answers[2]]).to.deep.equal([
        { status: 'fulfilled', value: true },
        { status: 'fulfilled', value: true },
      ]);
      for (const i of [0, 2]) {
        const d = (await store.getEvent({ id: claimed[i].eventId }))!.deliveries[0];
        expect(d.state).to.equal('delivered');
      }
    });
  });
}
