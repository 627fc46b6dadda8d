import { expect } from 'chai';
import type { Store } from '../../src/store/types.ts';
import { attempt, at as fromT0, type Harness, request, T0 } from './fixtures.ts';

/** What the console asks of the store beyond the admin API: more event filters and the activity counts. */
export function consoleScenarios(h: Harness): void {
  describe('console queries', () => {
    it('filters events by source, until, phone (whole or last digits) and tag', async () => {
      const store = await h.open();
      const at = fromT0;
      const a = request(at(0), { source: 'mta' });
      a.event.phone = '+13125550143';
      a.event.tags = { campaign: 'spring-sale', 'odd.key': 'x' };
      const b = request(at(10), { source: 'backup' });
      b.event.phone = '+442071838750';
      b.event.tags = { campaign: 'winter' };
      const c = request(at(20), { source: 'mta' });
      delete c.event.phone;
      const [ra, rb, rc] = await store.ingest({ batch: [a, b, c], now: at(20) });
      const ids = async (filter: Parameters<Store['listEvents']>[0]['filter']) =>
        (await store.listEvents({ filter, limit: 10 })).items.map((e) => e.id);
      expect(await ids({ source: 'mta' })).to.deep.equal([rc.id, ra.id]);
      expect(await ids({ source: 'backup' })).to.deep.equal([rb.id]);
      expect(await ids({ until: at(10) })).to.deep.equal([ra.id]);
      expect(await ids({ since: at(10), until: at(20) })).to.deep.equal([rb.id]);
      expect(await ids({ phone: '+13125550143' })).to.deep.equal([ra.id]);
      expect(await ids({ phone: '+1312555014' })).to.deep.equal([]);
      expect(await ids({ phone: '8750' })).to.deep.equal([rb.id]);
      expect(await ids({ phone: '0143' })).to.deep.equal([ra.id]);
      expect(await ids({ tag: { key: 'campaign', value: 'winter' } })).to.deep.equal([rb.id]);
      expect(await ids({ tag: { key: 'odd.key', value: 'x' } })).to.deep.equal([ra.id]);
      expect(await ids({ tag: { key: 'campaign', value: 'autumn' } })).to.deep.equal([]);
      expect(await ids({ tag: { key: 'missing', value: '' } })).to.deep.equal([]);
    });

    it('filters by status, phone and tag past events holding NUL or a lone surrogate (kept as sent)', async () => {
      // Found by a helper's attack: on PostgreSQL, one such event made every status, phone or tag listing fail.
      const store = await h.open();
      const at = fromT0;
      const odd = request(at(0), { status: 'UNDELIVERED' });
      odd.event.phone = '+13125550143';
      odd.event.tags = { campaign: 'autumn \u0000' };
      odd.event.text = 'nul \u0000 and lone \ud800';
      const lone = request(at(5), { status: 'UNDELIVERED' });
      lone.event.phone = '+13125550143';
      lone.event.payload = { note: '\udfff alone' };
      lone.event.tags = { campaign: 'winter' };
      const plain = request(at(10), { status: 'DELIVERED' });
      plain.event.phone = '+13125550143';
      plain.event.tags = { campaign: 'spring' };
      const [ro, rl, rp] = await store.ingest({ batch: [odd, lone, plain], now: at(10) });
      const ids = async (filter: Parameters<Store['listEvents']>[0]['filter']) =>
        (await store.listEvents({ filter, limit: 10 })).items.map((e) => e.id);
      expect(await ids({ status: 'UNDELIVERED' })).to.deep.equal([rl.id, ro.id]);
      expect(await ids({ status: 'DELIVERED' })).to.deep.equal([rp.id]);
      expect(await ids({ phone: '0143' })).to.deep.equal([rp.id, rl.id, ro.id]);
      expect(await ids({ phone: '0143', scanLimit: 2 })).to.deep.equal([rp.id, rl.id]);
      expect(await ids({ tag: { key: 'campaign', value: 'spring' } })).to.deep.equal([rp.id]);
    });

    it('bounds a phone or tag search to scanLimit events a page, and goes on from there', async () => {
      const store = await h.open();
      const at = fromT0;
      const requests = [0, 1, 2, 3, 4].map((i) =>
        request(at(i * 10), { type: i === 4 ? 'message-send' : 'message-reply' }),
      );
      requests[0].event.phone = '+13125550143';
      const results = await store.ingest({ batch: requests, now: at(40) });
      const search = (cursor?: string, extra: Parameters<Store['listEvents']>[0]['filter'] = {}) =>
        store.listEvents({ filter: { phone: '0143', scanLimit: 2, ...extra }, limit: 10, cursor });
      const first = await search();
      expect(first).to.deep.equal({ items: [], next: results[3].id, partial: true });
      const second = await search(first.next!);
      expect(second).to.deep.equal({ items: [], next: results[1].id, partial: true });
      const third = await search(second.next!);
      expect([third.items.map((e) => e.id), third.next, third.partial]).to.deep.equal([
        [results[0].id],
        null,
        undefined,
      ]);
      // Indexed conditions narrow the window first: of the replies, the two newest are 3 and 2.
      const replies = await search(undefined, { type: 'message-reply' });
      expect(replies).to.deep.equal({ items: [], next: results[2].id, partial: true });
      // Without scanLimit the search goes on to the oldest event in one page.
      const whole = await store.listEvents({ filter: { phone: '0143' }, limit: 10 });
      expect([whole.items.map((e) => e.id), whole.next]).to.deep.equal([[results[0].id], null]);
    });

    it('counts events received and attempts delivered or failed per bucket, zeros included', async () => {
      const store = await h.open();
      const minute = 60_000;
      // Buckets align to whole minutes since the epoch; T0 is not on one, so start at the next.
      const base = Math.ceil(T0 / minute) * minute;
      const at = (ms: number) => new Date(base + ms);
      await store.ingest({
        batch: [request(at(5_000), { to: ['ops'] }), request(at(6_000), { to: ['ops'] })],
        now: at(6_000),
      });
      await store.ingest({ batch: [request(at(2 * minute + 1), { to: ['ops'] })], now: at(2 * minute + 1) });
      const claimed = await store.claim({
        destination: 'ops',
        limit: 10,
        owner: 'w',
        leaseMs: 30_000,
        now: at(3 * minute),
      });
      expect(claimed).to.have.length(3);
      const outcomes = ['delivered', 'retry', 'dead'] as const;
      for (const [i, c] of claimed.entries()) {
        const outcome = outcomes[i];
        const next =
          outcome === 'retry' ? { state: 'pending' as const, nextAt: at(4 * minute) } : { state: outcome };
        await store.complete({
          deliveryId: c.id,
          owner: 'w',
          attempt: attempt(1, outcome, at(3 * minute + i)),
          next,
          now: at(3 * minute + i),
        });
      }
      const buckets = await store.activity({ since: at(0), until: at(4 * minute), bucketMs: minute });
      expect(buckets.map((b) => b.at)).to.deep.equal(
        [0, 1, 2, 3].map((m) => new Date(base + m * minute).toISOString()),
      );
      expect(buckets.map((b) => [b.received, b.delivered, b.failed])).to.deep.equal([
        [2, 0, 0],
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 2],
      ]);
    });
  });
}
