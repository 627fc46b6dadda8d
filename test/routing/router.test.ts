import { expect } from 'chai';
import type { GatewayEvent } from '../../src/event.ts';
import { delivery, reply, router } from './events.ts';

// The routes of the contract's example config (contract §2).
const example = router(`
- name: failed-deliveries
  match:
    type: delivery-status
    status: [DELIVERY_FAILED, UNDELIVERED, 10]
  to: [ops-slack]
  continue: true
- name: vip
  match:
    tags.tier: vip
    any:
      - type: message-reply
      - status.failed: true
  to: [crm]
  continue: true
- name: replies
  match: { type: message-reply, text: { regex: "^(?!STOP$)" } }
  to: [support-mail, crm]
- name: everything
  to: [audit]
`);

describe('routing: the router', () => {
  it('lists route names in order', () => {
    expect(example.routeNames).to.deep.equal(['failed-deliveries', 'vip', 'replies', 'everything']);
  });

  it('names an unnamed route route-<index>', () => {
    expect(router('[{ name: first, to: [audit] }, { to: [crm] }]').routeNames).to.deep.equal([
      'first',
      'route-1',
    ]);
  });

  it('walks on past a match with continue: true, collecting each destination', () => {
    const decision = example.route(delivery(9, { tags: { tier: 'vip' } }));
    expect(decision.routes.map((r) => [r.name, r.matched])).to.deep.equal([
      ['failed-deliveries', true],
      ['vip', true],
      ['replies', false],
      ['everything', true],
    ]);
    expect(decision.destinations).to.deep.equal([
      { destination: 'ops-slack', route: 'failed-deliveries' },
      { destination: 'crm', route: 'vip' },
      { destination: 'audit', route: 'everything' },
    ]);
    expect(decision.unrouted).to.equal(false);
  });

  it('stops at the first match without continue and does not evaluate the routes after it', () => {
    const decision = example.route(reply('Hello there'));
    expect(decision.routes.map((r) => r.name)).to.deep.equal(['failed-deliveries', 'vip', 'replies']);
    expect(decision.destinations).to.deep.equal([
      { destination: 'support-mail', route: 'replies' },
      { destination: 'crm', route: 'replies' },
    ]);
  });

  it('sends an event to a destination once, recording the first route that chose it', () => {
    const decision = example.route(reply('Hello there', { tags: { tier: 'vip' } }));
    expect(decision.destinations).to.deep.equal([
      { destination: 'crm', route: 'vip' },
      { destination: 'support-mail', route: 'replies' },
    ]);
  });

  it('dedupes a destination named twice in one route', () => {
    const decision = router('[{ to: [audit, audit, crm] }]').route(delivery(4));
    expect(decision.destinations.map((d) => d.destination)).to.deep.equal(['audit', 'crm']);
  });

  it('counts a match whose destinations were all chosen already as routed', () => {
    const decision = router('[{ to: [audit], continue: true }, { to: [audit], continue: true }]').route(
      delivery(4),
    );
    expect(decision.routes.map((r) => r.matched)).to.deep.equal([true, true]);
    expect(decision.destinations).to.deep.equal([{ destination: 'audit', route: 'route-0' }]);
  });

  it('reaches the catch-all when nothing earlier matched', () => {
    const decision = example.route(reply('STOP'));
    expect(decision.destinations).to.deep.equal([{ destination: 'audit', route: 'everything' }]);
    expect(decision.routes.at(-1)).to.deep.equal({
      name: 'everything',
      matched: true,
      reason: 'matches everything (no match)',
    });
  });

  it('marks an event that matches no route as unrouted', () => {
    const decision = router('[{ match: { type: message-reply }, to: [crm] }]').route(delivery(4));
    expect(decision).to.deep.equal({
      routes: [
        {
          name: 'route-0',
          matched: false,
          reason: 'not matched: type is delivery-status, wanted message-reply',
        },
      ],
      destinations: [],
      unrouted: true,
    });
  });

  it('leaves every event unrouted when there are no routes', () => {
    for (const raw of ['', '[]']) {
      expect(router(raw).route(delivery(4))).to.deep.equal({ routes: [], destinations: [], unrouted: true });
    }
  });

  it('treats an empty match as a catch-all', () => {
    expect(router('[{ match: {}, to: [audit] }]').route(reply('hi')).routes[0].reason).to.equal(
      'matches everything (no match)',
    );
  });

  it('explains every evaluated route of the example in plain words', () => {
    expect(example.route(delivery(4)).routes).to.deep.equal([
      {
        name: 'failed-deliveries',
        matched: false,
        reason:
          'not matched: status is DELIVERED, wanted one of DELIVERY_FAILED, UNDELIVERED, INVALID_NUMBER',
      },
      { name: 'vip', matched: false, reason: 'not matched: tags.tier is absent' },
      {
        name: 'replies',
        matched: false,
        reason: 'not matched: type is delivery-status, wanted message-reply',
      },
      { name: 'everything', matched: true, reason: 'matches everything (no match)' },
    ]);
  });
});

const long = 'word '.repeat(20);
const reasons: Array<[string, GatewayEvent, string]> = [
  [
    '{ type: delivery-status, status: [DELIVERY_FAILED, UNDELIVERED, INVALID_NUMBER] }',
    delivery(9),
    'matched: type = delivery-status, status in [DELIVERY_FAILED, UNDELIVERED, INVALID_NUMBER] (UNDELIVERED)',
  ],
  [
    '{ type: delivery-status, status: [DELIVERY_FAILED, UNDELIVERED, INVALID_NUMBER] }',
    delivery(4),
    'not matched: status is DELIVERED, wanted one of DELIVERY_FAILED, UNDELIVERED, INVALID_NUMBER',
  ],
  ['{ status: 10 }', delivery(10), 'matched: status = INVALID_NUMBER'],
  ['{ status: 10 }', reply('hi'), 'not matched: status is absent'],
  ['{ status.code: [DELIVERED, 9] }', delivery(6), 'not matched: status.code is 6, wanted one of 4, 9'],
  ['{ status: UNKNOWN_15 }', delivery(16), 'not matched: status is UNKNOWN_16, wanted UNKNOWN_15'],
  ['{ tags.tier: vip }', delivery(4), 'not matched: tags.tier is absent'],
  [
    '{ tags.tier: vip }',
    delivery(4, { tags: { tier: 'gold' } }),
    'not matched: tags.tier is gold, wanted vip',
  ],
  ['{ status: { not: DELIVERED } }', reply('hi'), 'matched: status != DELIVERED (absent)'],
  [
    '{ status: { not: DELIVERED } }',
    delivery(4),
    'not matched: status is DELIVERED, wanted anything but DELIVERED',
  ],
  [
    '{ status: { not: [SENT, DELIVERED] } }',
    delivery(4),
    'not matched: status is DELIVERED, wanted none of SENT, DELIVERED',
  ],
  [
    '{ status: { not: [SENT, DELIVERED] } }',
    delivery(6),
    'matched: status not in [SENT, DELIVERED] (DELIVERY_FAILED)',
  ],
  [
    '{ text: { regex: "^(?!STOP$)" } }',
    reply('STOP'),
    'not matched: text is STOP, wanted a match for /^(?!STOP$)/',
  ],
  [
    '{ text: { regex: "^(?!STOP$)" } }',
    reply('Hello there'),
    'matched: text matches /^(?!STOP$)/ ("Hello there")',
  ],
  [
    '{ text: { not: { regex: "^STOP$" } } }',
    reply('STOP'),
    'not matched: text is STOP, wanted no match for /^STOP$/',
  ],
  [
    '{ text: { regex: x } }',
    reply(long),
    `not matched: text is "${long.slice(0, 59)}…", wanted a match for /x/`,
  ],
  ['{ tags.tier: { exists: false } }', delivery(4), 'matched: tags.tier is absent'],
  [
    '{ tags.tier: { exists: false } }',
    delivery(4, { tags: { tier: 'vip' } }),
    'not matched: tags.tier is vip, wanted it absent',
  ],
  [
    '{ tags.tier: { exists: true } }',
    delivery(4, { tags: { tier: 'vip' } }),
    'matched: tags.tier exists (vip)',
  ],
  [
    '{ tags.priority: { gt: 7 } }',
    delivery(4, { tags: { priority: '5' } }),
    'not matched: tags.priority is 5, wanted more than 7',
  ],
  [
    '{ tags.priority: { lte: 7 } }',
    delivery(4, { tags: { priority: '9' } }),
    'not matched: tags.priority is 9, wanted at most 7',
  ],
  ['{ messageId: { gte: 10 } }', delivery(4), 'matched: messageId >= 10 (880012347)'],
  ['{ messageId: { not: { lte: 10 } } }', delivery(4), 'matched: messageId not <= 10 (880012347)'],
  [
    '{ messageId: { not: { lt: 10 } } }',
    delivery(4, { messageId: 3 }),
    'not matched: messageId is 3, wanted at least 10',
  ],
  [
    '{ payload.tags: vip }',
    delivery(4, { payload: { tags: { a: 1 } } }),
    'not matched: payload.tags is {"a":1}, wanted vip',
  ],
  ['{ any: [{ status.failed: true }] }', delivery(6), 'matched: any of (status.failed = true)'],
  [
    '{ any: [{ type: message-reply }, { status.failed: true }] }',
    delivery(4),
    'not matched: none of (type is delivery-status, wanted message-reply; status.failed is false, wanted true)',
  ],
  [
    '{ all: [{ type: delivery-status }, { status.final: true }] }',
    delivery(4),
    'matched: all of (type = delivery-status, status.final = true)',
  ],
  [
    '{ all: [{ type: delivery-status }, { status.final: true }] }',
    delivery(2),
    'not matched: status.final is false, wanted true',
  ],
  ['{ not: { type: message-reply } }', delivery(4), 'matched: not (type = message-reply)'],
  [
    '{ not: { type: delivery-status } }',
    delivery(4),
    'not matched: type = delivery-status (excluded by not)',
  ],
];

describe('routing: reasons', () => {
  for (const [match, input, reason] of reasons) {
    it(`says "${reason}" for ${match}`, () => {
      expect(router(`[{ name: r, match: ${match}, to: [audit] }]`).route(input).routes[0].reason).to.equal(
        reason,
      );
    });
  }
});
