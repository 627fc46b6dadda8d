import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import type { GatewayEvent } from '../../src/event.ts';
import { delivery, event, matcher, reply } from './events.ts';

const failed = delivery(6); // DELIVERY_FAILED
const delivered = delivery(4);
const undelivered = delivery(9);
const future = delivery(15); // UNKNOWN_15: a code MTA may add later
const hello = reply('Hello there');
const stop = reply('STOP');
const vip = delivery(6, { tags: { tier: 'vip', store: '3', priority: '5', label: 'high' } });
const withPayload = delivery(9, {
  payload: {
    carrier: 'Verizon Wireless',
    errorMessage: null,
    count: 3,
    code: '42',
    flag: true,
    tags: { tier: 'vip' },
    mediaUrls: ['https://media.example.com/1.jpg', 'https://media.example.com/2.png'],
    nested: { list: [{ x: 'a' }, { x: 'b' }] },
  },
});

describe('a route regex on text a stranger sends', () => {
  // `^(a+)+$` backtracks 2^40 times on 40 a's and a '!': the gateway was held for hours. V8's linear-time
  // fallback (routing/regex-hazard.ts) finishes it at once, with the same answer. Run in a child process with
  // a time limit: a regex that backtracks holds the event loop, so mocha's own timeout could not end it.
  it('answers a regex that nests quantifiers on a crafted reply, and still matches what it should', () => {
    const script = `
      const { matcher, reply } = await import(${JSON.stringify(new URL('./events.ts', import.meta.url).href)});
      const m = matcher("text: { regex: '^(a+)+$' }");
      console.log(m.evaluate(reply('a'.repeat(40) + '!')).holds, m.evaluate(reply('a'.repeat(40))).holds);`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.signal, 'the match did not end within 20 s').to.equal(null);
    expect(run.stdout.trim(), run.stderr).to.equal('false true');
  });
});

const cases: Array<[string, string, GatewayEvent, boolean]> = [
  // equality on each field path
  ['type equals its value', 'type: delivery-status', failed, true],
  ['type differs', 'type: delivery-status', hello, false],
  ['type accepts the enum spelling', 'type: DELIVERY_STATUS', failed, true],
  ['type accepts the enum spelling in any case', 'type: Message_Reply', hello, true],
  ['version equals a number', 'version: 3', failed, true],
  ['version equals a numeric string', 'version: "3"', failed, true],
  ['version differs', 'version: 2', failed, false],
  ['source equals', 'source: mta', failed, true],
  ['phone equals', 'phone: "+13125550143"', failed, true],
  ['a phone written with punctuation matches its E.164 form', 'phone: "+1 (312) 555-0143"', failed, true],
  ['a phone list in any punctuation', 'phone: { in: ["+1 312.555.0143", "+447700900123"] }', failed, true],
  ['another phone', 'phone: "+1 312 555 0144"', failed, false],
  ['text equals', 'text: STOP', stop, true],
  ['messageId equals', 'messageId: 880012347', failed, true],
  ['messageId equals its string form', 'messageId: "880012347"', failed, true],
  ['optInType equals', 'optInType: keyword', event({ type: 'number-opt-in', optInType: 'keyword' }), true],
  ['externalId equals', 'externalId: order-1', delivery(4, { externalId: 'order-1' }), true],
  ['senderName equals', 'senderName: Acme', delivery(4, { senderName: 'Acme' }), true],
  // status by name and by code, interchangeably
  ['status by name', 'status: DELIVERY_FAILED', failed, true],
  ['status by code', 'status: 6', failed, true],
  ['status by name in lower case', 'status: delivery_failed', failed, true],
  ['status by another name', 'status: DELIVERED', failed, false],
  ['status.code by name', 'status.code: DELIVERY_FAILED', failed, true],
  ['status.code by code', 'status.code: 6', failed, true],
  ['status.name by code', 'status.name: 6', failed, true],
  ['status.name by name', 'status.name: DELIVERY_FAILED', failed, true],
  ['status by an UNKNOWN_ name', 'status: UNKNOWN_15', future, true],
  ['status by an unknown code', 'status: 15', future, true],
  ['status.failed true', 'status.failed: true', failed, true],
  ['status.failed false', 'status.failed: false', delivered, true],
  ['status.failed on a delivered status', 'status.failed: true', delivered, false],
  ['status.final true', 'status.final: true', delivered, true],
  ['status.final on an unknown code', 'status.final: true', future, false],
  // a missing field equals nothing
  ['status on a reply', 'status: DELIVERED', hello, false],
  ['status.failed on a reply', 'status.failed: false', hello, false],
  ['text on a delivery', 'text: Hello there', failed, false],
  // tags
  ['a tag equals', 'tags.tier: vip', vip, true],
  ['a tag differs', 'tags.tier: gold', vip, false],
  ['an absent tag', 'tags.tier: vip', failed, false],
  ['a YAML number against a tag, by string form', 'tags.store: 3', vip, true],
  [
    'a YAML number against a tag that only looks alike',
    'tags.store: 3',
    delivery(4, { tags: { store: '03' } }),
    false,
  ],
  ['an inherited property is not a tag', 'tags.constructor: { exists: false }', failed, true],
  // lists and in
  ['a list holds when any value equals', 'status: [DELIVERY_FAILED, UNDELIVERED, 10]', undelivered, true],
  ['a list mixes names and codes', 'status: [DELIVERY_FAILED, UNDELIVERED, 10]', delivery(10), true],
  ['a list fails when none equals', 'status: [DELIVERY_FAILED, UNDELIVERED, 10]', delivered, false],
  ['a list on a missing field', 'status: [DELIVERED, 6]', hello, false],
  ['in holds when any value equals', 'status: { in: [UNDELIVERED, 6] }', failed, true],
  ['in fails when none equals', 'type: { in: [message-reply, message-send] }', failed, false],
  ['in on a missing field', 'tags.tier: { in: [vip, gold] }', failed, false],
  // not
  ['not of a value that differs', 'status: { not: DELIVERED }', failed, true],
  ['not of a value that equals', 'status: { not: DELIVERED }', delivered, false],
  ['not of equality on a missing field', 'status: { not: DELIVERED }', hello, true],
  ['not of a list', 'status: { not: [DELIVERED, SENT] }', delivered, false],
  ['not of not', 'status: { not: { not: DELIVERED } }', delivered, true],
  ['not of in on a missing field', 'tags.tier: { not: { in: [vip] } }', failed, true],
  // regex
  ['a regex that matches', 'text: { regex: "^(?!STOP$)" }', hello, true],
  ['a negative lookahead that rejects', 'text: { regex: "^(?!STOP$)" }', stop, false],
  ['a regex on a missing field', 'text: { regex: ".*" }', failed, false],
  ['a regex on the status name', 'status: { regex: "^DELIVERY_" }', failed, true],
  ['a regex on status.code sees the code', 'status.code: { regex: "^1[0-4]$" }', delivery(10), true],
  ['a regex on a number sees its string form', 'messageId: { regex: "^880" }', failed, true],
  ['a regex on a boolean sees true or false', 'status.failed: { regex: "^true$" }', failed, true],
  ['a regex is case-sensitive', 'text: { regex: "^stop$" }', stop, false],
  // a leading (?i), as Alertmanager, Prometheus and Vector users write it, was an invalid group
  ['a leading (?i) ignores case', 'text: { regex: "(?i)^stop$" }', stop, true],
  ['a leading (?i) still needs the letters', 'text: { regex: "(?i)^stop$" }', hello, false],
  ['(?s) lets . match a line break', 'text: { regex: "(?s)^Hi.there$" }', reply('Hi\nthere'), true],
  ['without (?s) . does not', 'text: { regex: "^Hi.there$" }', reply('Hi\nthere'), false],
  ['(?m) anchors at line ends', 'text: { regex: "(?im)^stop$" }', reply('thanks\nStop'), true],
  ['without (?m) ^ is the start only', 'text: { regex: "(?i)^stop$" }', reply('thanks\nStop'), false],
  ['(?i) with Unicode mode', "text: { regex: '(?i)^\\p{L}+ übung$' }", reply('Gute ÜBUNG'), true],
  // \p{…} and \u{…} mean Unicode properties and code points only in Unicode mode; without it they matched "p{Lu}"
  ['a Unicode property escape (found by an attack)', 'text: { regex: "^\\\\p{Lu}+$" }', stop, true],
  ['a Unicode property escape is no literal p{N}', 'text: { regex: "^\\\\p{N}$" }', reply('p{N}'), false],
  ['a negated Unicode property', 'text: { regex: "^\\\\P{Lu}+$" }', reply('hello there'), true],
  ['an emoji by property', "text: { regex: '\\p{Extended_Pictographic}' }", reply('box \u{1F4E6}'), true],
  ['a code point escape', "text: { regex: '\\u{1F4E6}' }", reply('box \u{1F4E6}'), true],
  ['an escaped backslash before p{ is no property', "text: { regex: '\\\\p{2}a{' }", reply('\\ppa{'), true],
  // exists
  ['exists true on a present tag', 'tags.tier: { exists: true }', vip, true],
  ['exists true on an absent tag', 'tags.tier: { exists: true }', failed, false],
  ['exists false on an absent tag', 'tags.tier: { exists: false }', failed, true],
  ['exists false on a present tag', 'tags.tier: { exists: false }', vip, false],
  ['exists false on status of a reply', 'status: { exists: false }', hello, true],
  ['not exists is exists false', 'status: { not: { exists: true } }', hello, true],
  // comparisons
  ['gt above', 'messageId: { gt: 880012346 }', failed, true],
  ['gt equal', 'messageId: { gt: 880012347 }', failed, false],
  ['gte equal', 'messageId: { gte: 880012347 }', failed, true],
  ['lt below', 'messageId: { lt: 880012348 }', failed, true],
  ['lt equal', 'messageId: { lt: 880012347 }', failed, false],
  ['lte equal', 'messageId: { lte: 880012347 }', failed, true],
  ['gt on a numeric tag', 'tags.priority: { gt: 4 }', vip, true],
  ['lte on a numeric tag', 'tags.priority: { lte: 4 }', vip, false],
  ['gt on a tag that is not a number', 'tags.label: { gt: 0 }', vip, false],
  ['lte on a tag that is not a number', 'tags.label: { lte: 0 }', vip, false],
  ['gt on a missing field', 'messageId: { gt: 0 }', hello, false],
  ['gte on status.code', 'status.code: { gte: 5 }', failed, true],
  ['gte on status by name', 'status: { gte: DELIVERY_FAILED }', undelivered, true],
  ['lt on status by name', 'status: { lt: DELIVERED }', delivered, false],
  ['not gt on a missing field', 'messageId: { not: { gt: 0 } }', hello, true],
  // payload paths
  ['a payload string', 'payload.carrier: Verizon Wireless', withPayload, true],
  ['a payload number', 'payload.count: 3', withPayload, true],
  ['a payload number against a string', 'payload.count: "3"', withPayload, true],
  ['a payload numeric string against a number', 'payload.code: 42', withPayload, true],
  ['a payload boolean', 'payload.flag: true', withPayload, true],
  ['a payload boolean against a string', 'payload.flag: "true"', withPayload, false],
  ['a nested payload key', 'payload.tags.tier: vip', withPayload, true],
  ['a list index', 'payload.mediaUrls.1: { regex: "\\\\.png$" }', withPayload, true],
  ['a key inside a list element', 'payload.nested.list.1.x: b', withPayload, true],
  ['an index past the end', 'payload.mediaUrls.5: { exists: false }', withPayload, true],
  ['a name segment on a list', 'payload.mediaUrls.length: { exists: false }', withPayload, true],
  ['a null payload value is absent', 'payload.errorMessage: { exists: false }', withPayload, true],
  ['a missing payload key', 'payload.nope.deeper: { exists: true }', withPayload, false],
  ['an object value exists', 'payload.tags: { exists: true }', withPayload, true],
  ['an object value equals no scalar', 'payload.tags: "[object Object]"', withPayload, false],
  ['an object value matches no regex', 'payload.tags: { regex: "" }', withPayload, false],
  [
    'an inherited property is not in the payload',
    'payload.carrier.length: { exists: false }',
    withPayload,
    true,
  ],
  ['a path into a scalar payload', 'payload.a: { exists: false }', delivery(4, { payload: 'text' }), true],
  // combinators and several entries
  ['all entries hold', '{ type: delivery-status, status: DELIVERY_FAILED }', failed, true],
  ['one entry fails', '{ type: delivery-status, status: DELIVERED }', failed, false],
  ['any holds when one part holds', 'any: [{ type: message-reply }, { status.failed: true }]', failed, true],
  ['any holds on the other part', 'any: [{ type: message-reply }, { status.failed: true }]', hello, true],
  [
    'any fails when no part holds',
    'any: [{ type: message-reply }, { status.failed: true }]',
    delivered,
    false,
  ],
  [
    'all holds when every part holds',
    'all: [{ type: delivery-status }, { status.final: true }]',
    failed,
    true,
  ],
  [
    'all fails when one part fails',
    'all: [{ type: delivery-status }, { status.failed: false }]',
    failed,
    false,
  ],
  ['not inverts a match', 'not: { type: message-reply }', failed, true],
  ['not of a match on a missing field', 'not: { status: DELIVERED }', hello, true],
  [
    'not of several entries needs them all to hold',
    'not: { type: delivery-status, status: DELIVERED }',
    failed,
    true,
  ],
  [
    'combinators sit beside field paths',
    '{ tags.tier: vip, any: [{ type: message-reply }, { status.failed: true }] }',
    vip,
    true,
  ],
  [
    'a field beside a combinator still counts',
    '{ tags.tier: vip, any: [{ status.failed: true }] }',
    failed,
    false,
  ],
  ['combinators nest', 'any: [{ all: [{ type: message-reply }, { not: { text: STOP } }] }]', stop, false],
];

describe('routing: match language', () => {
  for (const [name, source, input, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'}: ${name} (${source})`, () => {
      expect(matcher(source).evaluate(input).holds).to.equal(expected);
    });
  }
});
