import { expect } from 'chai';
import type { Store } from '../../src/store/types.ts';
import { at, attempt, type Harness, ingestOne, request } from './fixtures.ts';

const LEASE = 30_000;

/** Claims every due delivery of `destination` as `owner` and completes each with `state`. */
async function finishAll(
  store: Store,
  destination: string,
  state: 'delivered' | 'failed' | 'dead',
  now: Date,
) {
  const claimed = await store.claim({ destination, limit: 1000, owner: 'w', leaseMs: LEASE, now });
  for (const c of claimed) {
    await store.complete({
      deliveryId: c.id,
      owner: 'w',
      attempt: attempt(1, state, now, state === 'delivered' ? undefined : 'no'),
      next: { state },
      now,
    });
  }
  return claimed.map((c) => c.id);
}

/** Claims one delivery of `destination` and records one try of it ending `outcome`, due again later. */
async function tryOnce(
  store: Store,
  destination: string,
  outcome: 'retry' | 'throttled',
  reason: string,
  now: Date,
) {
  const [one] = await store.claim({ destination, limit: 1, owner: 'w', leaseMs: LEASE, now });
  await store.complete({
    deliveryId: one.id,
    owner: 'w',
    attempt: attempt(1, outcome, now, reason),
    next: { state: 'pending', nextAt: new Date(now.getTime() + 1_000_000) },
    now,
  });
}

/** Reads every page of a listing, following `next`. */
async function allPages<T>(list: (cursor?: string) => Promise<{ items: T[]; next: string | null }>) {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

/** Listing, filters, replay, rejected payloads, prune and queue stats. */
export function adminScenarios(h: Harness): void {
  describe('listing', () => {
    it('pages events newest first with a cursor, with no gaps or repeats', async () => {
      const store = await h.open();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await ingestOne(store, at(i))).id);
      const pages = await allPages((cursor) => store.listEvents({ filter: {}, limit: 3, cursor }));
      expect(pages.map((p) => p.length)).to.deep.equal([3, 3, 1]);
      expect(pages.flat().map((e) => e.id)).to.deep.equal([...ids].reverse());
    });

    it('pages deliveries newest first with a cursor, and ends with next null on an exact fit', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['a', 'b', 'c', 'd'] })], now: at(0) });
      const pages = await allPages((cursor) => store.listDeliveries({ filter: {}, limit: 2, cursor }));
      expect(pages.map((p) => p.length)).to.deep.equal([2, 2]);
      const ids = pages.flat().map((d) => d.id);
      expect(ids).to.deep.equal([...ids].sort().reverse());
    });

    it('filters events by type, status, destination, since and unrouted', async () => {
      const store = await h.open();
      const reply = await ingestOne(store, at(0), { type: 'message-reply', to: ['crm'] });
      const failed = await ingestOne(store, at(10), {
        type: 'delivery-status',
        status: 'DELIVERY_FAILED',
        to: ['ops'],
      });
      const ok = await ingestOne(store, at(20), { type: 'delivery-status', status: 'DELIVERED', to: [] });
      const ids = async (filter: Parameters<Store['listEvents']>[0]['filter']) =>
        (await store.listEvents({ filter, limit: 10 })).items.map((e) => e.id);
      expect(await ids({ type: 'message-reply' })).to.deep.equal([reply.id]);
      expect(await ids({ type: 'delivery-status' })).to.deep.equal([ok.id, failed.id]);
      expect(await ids({ status: 'DELIVERY_FAILED' })).to.deep.equal([failed.id]);
      expect(await ids({ destination: 'ops' })).to.deep.equal([failed.id]);
      expect(await ids({ since: at(10) })).to.deep.equal([ok.id, failed.id]);
      expect(await ids({ unrouted: true })).to.deep.equal([ok.id]);
      expect(await ids({ unrouted: false })).to.deep.equal([failed.id, reply.id]);
      expect(await ids({ type: 'delivery-status', destination: 'crm' })).to.deep.equal([]);
    });

    it('filters deliveries by state (one or several), destination, eventId and since', async () => {
      const store = await h.open();
      const first = await ingestOne(store, at(0), { to: ['crm', 'ops'] });
      await ingestOne(store, at(0), { to: ['crm'] });
      await finishAll(store, 'ops', 'dead', at(50));
      const states = async (filter: Parameters<Store['listDeliveries']>[0]['filter']) =>
        (await store.listDeliveries({ filter, limit: 10 })).items.map((d) => `${d.destination}:${d.state}`);
      expect(await states({ state: 'dead' })).to.deep.equal(['ops:dead']);
      expect(await states({ state: ['pending', 'dead'] })).to.have.members([
        'crm:pending',
        'crm:pending',
        'ops:dead',
      ]);
      expect(await states({ state: [] })).to.deep.equal([]);
      expect(await states({ destination: 'crm' })).to.deep.equal(['crm:pending', 'crm:pending']);
      expect(await states({ eventId: first.id })).to.have.members(['crm:pending', 'ops:dead']);
      expect(await states({ since: at(50) })).to.deep.equal(['ops:dead']);
      expect(await states({ destination: 'crm', state: 'dead' })).to.deep.equal([]);
    });
  });

  describe('replay', () => {
    it('puts failed and dead deliveries back by id with a fresh budget, numbering kept, others left alone', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['a', 'b', 'c', 'd'] })], now: at(0) });
      const [dead] = await finishAll(store, 'a', 'dead', at(1));
      const [failed] = await finishAll(store, 'b', 'failed', at(1));
      const [delivered] = await finishAll(store, 'c', 'delivered', at(1));
      const [pending] = (await store.listDeliveries({ filter: { destination: 'd' }, limit: 1 })).items.map(
        (d) => d.id,
      );
      expect(await store.replay({ ids: [dead, failed, delivered, pending, 'nope'], now: at(100) })).to.equal(
        2,
      );
      const rows = new Map(
        (await store.listDeliveries({ filter: {}, limit: 10 })).items.map((d) => [d.id, d]),
      );
      expect(rows.get(dead)).to.include({ state: 'pending', attempts: 1, nextAt: at(100).toISOString() });
      expect(rows.get(failed)).to.include({ state: 'pending', attempts: 1 });
      expect(rows.get(delivered)).to.include({ state: 'delivered', attempts: 1 });
      expect(rows.get(pending)).to.include({ state: 'pending', nextAt: at(0).toISOString() });
      const claimed = await store.claim({
        destination: 'a',
        limit: 10,
        owner: 'w',
        leaseMs: LEASE,
        now: at(100),
      });
      expect(claimed.map((c) => [c.id, c.attempts])).to.deep.equal([[dead, 0]]);
      expect(await store.replay({ ids: [], now: at(100) })).to.equal(0);
    });

    it('numbers the attempts after a replay on from the last one, in the log and the listing', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['a'] })], now: at(0) });
      const [id] = await finishAll(store, 'a', 'dead', at(1));
      await store.replay({ ids: [id], now: at(2) });
      const [again] = await store.claim({
        destination: 'a',
        limit: 1,
        owner: 'w',
        leaseMs: LEASE,
        now: at(3),
      });
      await store.complete({
        deliveryId: again.id,
        owner: 'w',
        attempt: attempt(again.attempts + 1, 'delivered', at(3)),
        next: { state: 'delivered' },
        now: at(3),
      });
      const detail = await store.getDelivery({ id });
      expect(detail?.attemptLog.map((a) => [a.number, a.outcome])).to.deep.equal([
        [1, 'dead'],
        [2, 'delivered'],
      ]);
      expect(detail).to.include({ state: 'delivered', attempts: 2 });
      expect(await store.getDelivery({ id: 'nope' })).to.equal(null);
    });

    it('replays delivered deliveries only when asked to', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['a'] })], now: at(0) });
      const [id] = await finishAll(store, 'a', 'delivered', at(1));
      expect(await store.replay({ ids: [id], now: at(2) })).to.equal(0);
      expect(await store.replay({ filter: { state: 'delivered' }, now: at(2) })).to.equal(0);
      expect(await store.replay({ ids: [id], now: at(2), includeDelivered: true })).to.equal(1);
      expect(await store.getDelivery({ id })).to.include({ state: 'pending', attempts: 1 });
    });

    it('replays by filter: state, destination and since', async () => {
      const store = await h.open();
      for (let i = 0; i < 3; i++)
        await store.ingest({ batch: [request(at(0), { to: ['a', 'b'] })], now: at(0) });
      await finishAll(store, 'a', 'dead', at(10));
      const laterB = await store.claim({
        destination: 'b',
        limit: 1,
        owner: 'w',
        leaseMs: LEASE,
        now: at(20),
      });
      await store.complete({
        deliveryId: laterB[0].id,
        owner: 'w',
        attempt: attempt(1, 'failed', at(20)),
        next: { state: 'failed' },
        now: at(20),
      });
      await finishAll(store, 'b', 'dead', at(30));
      expect(await store.replay({ filter: { state: 'failed' }, now: at(100) })).to.equal(1);
      expect(await store.replay({ filter: { destination: 'b', since: at(30) }, now: at(100) })).to.equal(2);
      expect(
        await store.replay({ filter: { state: ['dead', 'pending'], destination: 'a' }, now: at(100) }),
      ).to.equal(3);
      expect(await store.replay({ filter: {}, now: at(100) })).to.equal(0);
      expect((await store.listDeliveries({ filter: { state: 'pending' }, limit: 10 })).items).to.have.length(
        6,
      );
    });
  });

  describe('rejected payloads', () => {
    const payload = (n: number) => ({
      source: 'mta',
      urlEvent: n % 2 === 0 ? 'message-reply' : null,
      receivedAt: at(n).toISOString(),
      body: `{"bad": ${n}} \u00e9`,
      errors: [{ path: 'phone', message: 'is not a phone number' }],
    });

    it('adds, lists newest first with a cursor, gets and deletes', async () => {
      const store = await h.open();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await store.addRejected({ payload: payload(i), now: at(i) }));
      expect(await store.getRejected({ id: ids[2] })).to.deep.equal({ id: ids[2], ...payload(2) });
      const pages = await allPages((cursor) => store.listRejected({ limit: 2, cursor }));
      expect(pages.flat().map((r) => r.id)).to.deep.equal([...ids].reverse());
      await store.deleteRejected({ id: ids[2] });
      await store.deleteRejected({ id: ids[2] });
      expect(await store.getRejected({ id: ids[2] })).to.equal(null);
      expect((await store.listRejected({ limit: 10 })).items).to.have.length(4);
    });

    it('keeps the exact bytes of a body its text cannot hold (not UTF-8, or a NUL byte) as rawBody', async () => {
      const store = await h.open();
      const latin1 = Buffer.from([0x7b, 0x22, 0x63, 0x61, 0x66, 0xe9, 0x00, 0x22, 0x7d]); // {"caf\xe9\0"}
      const kept = { ...payload(1), body: latin1.toString('utf8'), rawBody: latin1.toString('base64') };
      const id = await store.addRejected({ payload: kept, now: at(1) });
      const got = await store.getRejected({ id });
      expect(Buffer.from(got!.rawBody!, 'base64').equals(latin1)).to.equal(true);
      expect((await store.listRejected({ limit: 10 })).items[0].rawBody).to.equal(kept.rawBody);
    });

    it('keeps only the newest rows beyond the bound', async () => {
      const store = await h.open({ maxRejected: 3 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await store.addRejected({ payload: payload(i), now: at(i) }));
      expect((await store.listRejected({ limit: 10 })).items.map((r) => r.id)).to.deep.equal(
        ids.slice(2).reverse(),
      );
    });
  });

  describe('prune', () => {
    it('removes old events whose deliveries are all final, cascading; keeps unfinished and recent ones', async () => {
      const store = await h.open();
      const done = await ingestOne(store, at(0), { to: ['a', 'b'] });
      const open = await ingestOne(store, at(0), { to: ['c'] });
      const nowhere = await ingestOne(store, at(0), { to: [] });
      const recent = await ingestOne(store, at(5_000), { to: ['d'] });
      await finishAll(store, 'a', 'delivered', at(1));
      await finishAll(store, 'b', 'dead', at(1));
      await finishAll(store, 'd', 'delivered', at(5_001));
      await store.claim({ destination: 'c', limit: 1, owner: 'w', leaseMs: LEASE, now: at(2) });

      expect(await store.prune({ before: at(1_000), now: at(6_000) })).to.equal(2);
      expect(await store.getEvent({ id: done.id })).to.equal(null);
      expect(await store.getEvent({ id: nowhere.id })).to.equal(null);
      expect(await store.getEvent({ id: open.id })).to.not.equal(null);
      expect(await store.getEvent({ id: recent.id })).to.not.equal(null);
      expect((await store.listDeliveries({ filter: { destination: 'a' }, limit: 10 })).items).to.deep.equal(
        [],
      );
      expect(await store.prune({ before: at(1_000), now: at(6_000) })).to.equal(0);
    });
  });

  describe('queueStats', () => {
    it('counts pending and sending deliveries per destination, with the oldest creation time', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['crm', 'ops'] })], now: at(0) });
      await store.ingest({
        batch: [request(at(10), { to: ['crm'] }), request(at(10), { to: ['crm'] })],
        now: at(10),
      });
      await store.claim({ destination: 'crm', limit: 1, owner: 'w', leaseMs: LEASE, now: at(20) });
      await finishAll(store, 'ops', 'delivered', at(20));
      const stats = await store.queueStats({ now: at(30) });
      const depth = stats.depth.filter((d) => d.state === 'pending' || d.state === 'sending');
      expect(depth).to.have.deep.members([
        { destination: 'crm', state: 'pending', count: 2 },
        { destination: 'crm', state: 'sending', count: 1 },
      ]);
      expect(stats.oldestPending).to.deep.equal([{ destination: 'crm', createdAt: at(0) }]);
    });
  });

  describe('pauses and destination activity', () => {
    it('keeps who paused, why and until when, and lifts an expired pause by itself', async () => {
      const store = await h.open();
      await store.setPaused({
        destination: 'crm',
        paused: true,
        how: { by: 'ana@ops', comment: 'vendor outage', expiresAt: at(3_600_000) },
        now: at(0),
      });
      await store.setPaused({ destination: 'gone', paused: true, how: { by: 'bo@ops' }, now: at(5) });
      expect(await store.listPauses({ now: at(10) })).to.deep.equal([
        {
          name: 'crm',
          by: 'ana@ops',
          comment: 'vendor outage',
          since: at(0).toISOString(),
          expiresAt: at(3_600_000).toISOString(),
        },
        { name: 'gone', by: 'bo@ops', since: at(5).toISOString() },
      ]);
      expect(await store.pausedDestinations({ now: at(3_600_000) })).to.deep.equal(['gone']);
      expect((await store.listPauses({ now: at(0) })).map((p) => p.name)).to.deep.equal(['gone']);
      await store.setPaused({ destination: 'gone', paused: false });
      expect(await store.listPauses({ now: at(0) })).to.deep.equal([]);
    });

    it('holds claims only until a pause expires, for a destination and for a route', async () => {
      const store = await h.open();
      await store.ingest({ batch: [request(at(0), { to: ['crm', 'ops'] })], now: at(0) });
      await store.setPaused({
        destination: 'crm',
        paused: true,
        how: { by: 'x', expiresAt: at(1000) },
        now: at(0),
      });
      await store.setPaused({
        destination: 'route:main',
        paused: true,
        how: { by: 'x', expiresAt: at(2000) },
        now: at(0),
      });
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w', leaseMs: LEASE, now: at(999) }),
      ).to.have.length(0);
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w', leaseMs: LEASE, now: at(1000) }),
      ).to.have.length(0); // the route still holds it
      expect(
        await store.claim({ destination: 'ops', limit: 10, owner: 'w', leaseMs: LEASE, now: at(1999) }),
      ).to.have.length(0);
      expect(
        await store.claim({ destination: 'crm', limit: 10, owner: 'w', leaseMs: LEASE, now: at(2000) }),
      ).to.have.length(1);
      expect(
        await store.claim({ destination: 'ops', limit: 10, owner: 'w', leaseMs: LEASE, now: at(2000) }),
      ).to.have.length(1);
    });

    it('counts pending, in flight, dead, attempts in the window and the latest error per destination', async () => {
      const store = await h.open();
      await store.ingest({
        batch: [request(at(0), { to: ['crm', 'ops'] }), request(at(0), { to: ['crm', 'ops'] })],
        now: at(0),
      });
      await finishAll(store, 'ops', 'delivered', at(10));
      await store.ingest({ batch: [request(at(16), { to: ['ops'] })], now: at(16) });
      await finishAll(store, 'ops', 'delivered', at(16));
      await tryOnce(store, 'crm', 'retry', 'HTTP 503', at(20));
      await store.claim({ destination: 'crm', limit: 1, owner: 'w', leaseMs: LEASE, now: at(30) });
      // A throttled try is counted apart: it is no failure.
      await store.ingest({ batch: [request(at(31), { to: ['ops'] })], now: at(31) });
      await tryOnce(store, 'ops', 'throttled', 'HTTP 429', at(31));
      // Dead letters count whenever they died: they wait for an operator, not for the window.
      await store.ingest({
        batch: [request(at(5), { to: ['audit'] }), request(at(5), { to: ['audit'] })],
        now: at(5),
      });
      await finishAll(store, 'audit', 'dead', at(5));
      const activity = await store.destinationActivity({ since: at(15), now: at(40) });
      expect(activity).to.deep.equal([
        {
          destination: 'audit',
          pending: 0,
          inFlight: 0,
          dead: 2,
          delivered: 0,
          failed: 0,
          throttled: 0,
          lastError: { at: at(5).toISOString(), reason: 'no' },
        },
        {
          destination: 'crm',
          pending: 1,
          inFlight: 1,
          dead: 0,
          oldestPendingAt: at(0).toISOString(),
          delivered: 0,
          failed: 1,
          throttled: 0,
          lastError: { at: at(20).toISOString(), reason: 'HTTP 503' },
        },
        {
          destination: 'ops',
          pending: 1,
          inFlight: 0,
          dead: 0,
          oldestPendingAt: at(31).toISOString(),
          delivered: 1,
          failed: 0,
          throttled: 1,
          lastError: { at: at(31).toISOString(), reason: 'HTTP 429' },
        },
      ]);
    });
  });
}
