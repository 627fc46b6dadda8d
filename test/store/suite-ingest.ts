import { expect } from 'chai';
import { at, type Harness, ingestOne, request } from './fixtures.ts';

/** Ingest, durability, deduplication and migrations. */
export function ingestScenarios(h: Harness): void {
  describe('ingest', () => {
    it('commits the event and its deliveries, visible through getEvent and listDeliveries', async () => {
      const store = await h.open();
      const now = at(0);
      const { id, duplicate, req } = await ingestOne(store, now, { to: ['crm', 'audit'] });
      expect(duplicate).to.equal(false);
      expect(id).to.equal(req.event.id);

      const detail = await store.getEvent({ id });
      expect(detail?.event).to.deep.equal(req.event);
      expect(detail?.routes).to.deep.equal(req.routes);
      expect(detail?.unrouted).to.equal(false);
      expect(detail?.deliveries.map((d) => d.destination).sort()).to.deep.equal(['audit', 'crm']);
      for (const d of detail?.deliveries ?? []) {
        expect(d).to.include({ eventId: id, route: 'main', state: 'pending', attempts: 0, lastError: null });
        expect(d.nextAt).to.equal(now.toISOString());
        expect(d.createdAt).to.equal(now.toISOString());
        expect(d.attemptLog).to.deep.equal([]);
      }
      const listed = await store.listDeliveries({ filter: { eventId: id }, limit: 10 });
      expect(listed.items).to.have.length(2);
    });

    it('answers null for an unknown event', async () => {
      const store = await h.open();
      expect(await store.getEvent({ id: '01NOSUCHEVENT0000000000000' })).to.equal(null);
    });

    it('is durable: a second, independent store instance reads back what was committed', async () => {
      const store = await h.open();
      const { id, req } = await ingestOne(store, at(0), { to: ['crm'] });
      const other = await h.open({ shareWith: store });
      const detail = await other.getEvent({ id });
      expect(detail?.event).to.deep.equal(req.event);
      expect(detail?.deliveries).to.have.length(1);
    });

    it('stores an event that reached no destination as unrouted', async () => {
      const store = await h.open();
      const { id } = await ingestOne(store, at(0), { to: [] });
      const detail = await store.getEvent({ id });
      expect(detail?.unrouted).to.equal(true);
      expect(detail?.deliveries).to.deep.equal([]);
    });

    it('commits a batch of several requests and answers one result per request, in order', async () => {
      const store = await h.open();
      const batch = [request(at(0)), request(at(0), { to: ['a', 'b'] }), request(at(0), { to: [] })];
      const results = await store.ingest({ batch, now: at(0) });
      expect(results).to.deep.equal(batch.map((r) => ({ id: r.event.id, duplicate: false })));
      for (const r of batch)
        expect((await store.getEvent({ id: r.event.id }))?.deliveries).to.have.length(r.deliveries.length);
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(3);
    });

    it('keeps every string an event can hold as it was: NUL, a lone surrogate, escapes, in a batch', async () => {
      // JSON.parse gives a body's "\u0000" and "\ud800" as such; the stored JSON escapes them again. A store that
      // unescaped the event on its way in (PostgreSQL text does not take NUL) would fail the whole batch. A
      // generic source takes its type from the body, so the type column meets them too.
      const store = await h.open();
      const odd = request(at(0));
      odd.event.type = 'odd \u0000 type \ud800' as typeof odd.event.type;
      odd.event.text =
        'nul \u0000, lone \ud800 and \udfff, pair \u{1F600}, \\u0000 typed, "quoted" \\ \b\f\n\r\t';
      odd.event.payload = { 'key \u0000 "x"': ['\u0000', '\ud800', '\\', '\u2028'], n: -0.5e-7 };
      odd.event.tags = { '\\u0000': 'tag \u0000' };
      const batch = [request(at(0)), odd, request(at(0))];
      const results = await store.ingest({ batch, now: at(0) });
      expect(results.map((r) => r.duplicate)).to.deep.equal([false, false, false]);
      for (const r of batch) expect((await store.getEvent({ id: r.event.id }))?.event).to.deep.equal(r.event);
    });

    it('answers an empty batch with no results', async () => {
      const store = await h.open();
      expect(await store.ingest({ batch: [], now: at(0) })).to.deep.equal([]);
    });
  });

  describe('dedupe', () => {
    const windowMs = 60_000;

    it('answers the original id for the same body within the window, and inserts nothing', async () => {
      const store = await h.open();
      const first = await ingestOne(store, at(0), { body: 'same', windowMs });
      const again = await ingestOne(store, at(windowMs - 1), { body: 'same', windowMs });
      expect(again).to.include({ id: first.id, duplicate: true });
      expect(await store.getEvent({ id: again.req.event.id })).to.equal(null);
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(1);
      expect((await store.listDeliveries({ filter: {}, limit: 10 })).items).to.have.length(1);
    });

    it('processes the same body anew once the window has passed', async () => {
      const store = await h.open();
      const first = await ingestOne(store, at(0), { body: 'same', windowMs });
      const later = await ingestOne(store, at(windowMs), { body: 'same', windowMs });
      expect(later).to.include({ id: later.req.event.id, duplicate: false });
      expect(later.id).to.not.equal(first.id);
      expect((await store.listDeliveries({ filter: {}, limit: 10 })).items).to.have.length(2);
      // The new event now holds the key for a fresh window.
      const third = await ingestOne(store, at(windowMs + 1), { body: 'same', windowMs });
      expect(third).to.include({ id: later.id, duplicate: true });
    });

    it('treats the second of two identical bodies in one batch as a duplicate of the first', async () => {
      const store = await h.open();
      const batch = [
        request(at(0), { body: 'twin', windowMs }),
        request(at(0), { body: 'other', windowMs }),
        request(at(0), { body: 'twin', windowMs }),
      ];
      const results = await store.ingest({ batch, now: at(0) });
      expect(results).to.deep.equal([
        { id: batch[0].event.id, duplicate: false },
        { id: batch[1].event.id, duplicate: false },
        { id: batch[0].event.id, duplicate: true },
      ]);
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(2);
    });

    it('keys dedupe per source', async () => {
      const store = await h.open();
      await ingestOne(store, at(0), { body: 'same', windowMs, source: 'mta' });
      const other = await ingestOne(store, at(1), { body: 'same', windowMs, source: 'mta-eu' });
      expect(other.duplicate).to.equal(false);
    });

    it('does not deduplicate when the window is 0', async () => {
      const store = await h.open();
      await ingestOne(store, at(0), { body: 'same', windowMs: 0 });
      const again = await ingestOne(store, at(1), { body: 'same', windowMs: 0 });
      expect(again.duplicate).to.equal(false);
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(2);
    });

    it('deduplicates across two store instances', async () => {
      const store = await h.open();
      const other = await h.open({ shareWith: store });
      const first = await ingestOne(store, at(0), { body: 'shared', windowMs });
      const again = await ingestOne(other, at(1), { body: 'shared', windowMs });
      expect(again).to.include({ id: first.id, duplicate: true });
    });

    it('lets exactly one of several concurrent ingests of one body through, across instances', async () => {
      const store = await h.open();
      const other = await h.open({ shareWith: store });
      const results = await Promise.all(
        [store, other, store, other].map((s, i) =>
          s.ingest({ batch: [request(at(i), { body: 'race', windowMs })], now: at(i) }),
        ),
      );
      const fresh = results.flat().filter((r) => !r.duplicate);
      expect(fresh).to.have.length(1);
      expect(results.flat().map((r) => r.id)).to.deep.equal(Array(4).fill(fresh[0].id));
      expect((await store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(1);
    });
  });

  describe('migrations', () => {
    it('running them again is a no-op that keeps the data', async () => {
      const store = await h.open();
      const { id } = await ingestOne(store, at(0));
      await store.migrate();
      await store.migrate();
      expect(await store.getEvent({ id })).to.not.equal(null);
    });

    it('answers ping', async () => {
      const store = await h.open();
      await store.ping();
    });
  });
}
