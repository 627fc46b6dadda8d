import { expect } from 'chai';
import { DigestScheduler } from '../../src/delivery/digest.ts';
import type { GatewayEvent } from '../../src/event.ts';
import type { ClaimedDelivery } from '../../src/store/types.ts';

let n = 0;
function claimed(type: GatewayEvent['type'], campaign?: string): ClaimedDelivery {
  const id = `d${++n}`;
  const event: GatewayEvent = {
    id: `e${n}`,
    source: 'mta',
    type,
    version: 3,
    receivedAt: '2026-11-28T12:00:00.000Z',
    tags: campaign ? { campaign } : {},
    payload: {},
  };
  return { id, eventId: event.id, destination: 'ops', route: 'r', attempts: 0, event };
}

describe('digest scheduling', () => {
  const settings = { by: ['type', 'tags.campaign'], waitMs: 30_000, intervalMs: 300_000 };

  it('holds a new group for `wait`, then sends it whole', () => {
    const s = new DigestScheduler(settings);
    const a = [claimed('delivery-status', 'x'), claimed('delivery-status', 'x')];
    const first = s.plan(a, 0);
    expect(first.send).to.deep.equal([]);
    expect(first.defer).to.deep.equal([{ ids: a.map((d) => d.id), until: 30_000 }]);
    const later = s.plan(a, 30_000);
    expect(later.send.map((g) => g.deliveries.map((d) => d.id))).to.deep.equal([a.map((d) => d.id)]);
  });

  it('keys groups by the `by` values, an absent value included', () => {
    const s = new DigestScheduler(settings);
    expect(s.keyOf(claimed('delivery-status', 'x').event)).to.equal('["delivery-status","x"]');
    expect(s.keyOf(claimed('message-reply').event)).to.equal('["message-reply",null]');
    const plan = s.plan(
      [claimed('delivery-status', 'x'), claimed('delivery-status', 'y'), claimed('delivery-status', 'x')],
      0,
    );
    expect(plan.defer.map((d) => d.ids.length)).to.deep.equal([2, 1]);
  });

  it('sends a group at most once per interval after its first message', () => {
    const s = new DigestScheduler(settings);
    const g = s.plan([claimed('message-reply')], 30_000).send;
    expect(g).to.have.length(0); // first seen now: waits until 60 000
    const first = s.plan([claimed('message-reply')], 60_000).send[0];
    s.sent(first.key, 60_000);
    const soon = s.plan([claimed('message-reply')], 100_000);
    expect(soon.send).to.deep.equal([]);
    expect(soon.defer[0].until).to.equal(360_000);
    expect(s.plan([claimed('message-reply')], 360_000).send).to.have.length(1);
  });

  it('lets each group keep its own clock', () => {
    const s = new DigestScheduler(settings);
    s.plan([claimed('delivery-status')], 0);
    const plan = s.plan([claimed('delivery-status'), claimed('number-opt-in')], 30_000);
    expect(plan.send.map((g) => g.key)).to.deep.equal(['["delivery-status",null]']);
    expect(plan.defer).to.deep.equal([{ ids: [`d${n}`], until: 60_000 }]);
  });
});
