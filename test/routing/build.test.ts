import { expect } from 'chai';
import * as E from 'fp-ts/Either';
import type { ConfigIssue } from '../../src/config/issues.ts';
import { buildRouter } from '../../src/routing/build.ts';
import { CATALOG, DESTINATIONS, yaml } from './events.ts';

/** The issues building these routes reports (an empty list when they build). */
function issues(routes: string): ConfigIssue[] {
  return E.match(
    (left: ConfigIssue[]) => left,
    () => [],
  )(buildRouter(yaml(routes), DESTINATIONS, CATALOG));
}

const issue = (path: ConfigIssue['path'], message: string): ConfigIssue => ({ path, message });

const cases: Array<[string, string, ConfigIssue[]]> = [
  [
    'an unknown field path, with the nearest known one',
    '[{ match: { stauts: DELIVERED }, to: [audit] }]',
    [issue([0, 'match', 'stauts'], 'unknown field path "stauts" (did you mean status?)')],
  ],
  [
    'a tag path missing its s',
    '[{ match: { tag.tier: vip }, to: [audit] }]',
    [issue([0, 'match', 'tag.tier'], 'unknown field path "tag.tier" (did you mean tags.tier?)')],
  ],
  [
    'empty tag keys and payload segments',
    '[{ match: { tags.: x, payload.a..b: 2 }, to: [audit] }]',
    [
      issue([0, 'match', 'tags.'], 'tags. needs a tag key, e.g. tags.campaign'),
      issue(
        [0, 'match', 'payload.a..b'],
        '"payload.a..b" has an empty segment; payload paths look like payload.message.id or payload.list.0',
      ),
    ],
  ],
  [
    'a bad regex, with the engine’s reason',
    '[{ match: { text: { regex: "(" } }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'text', 'regex'],
        'bad regex "(": Invalid regular expression: /(/: Unterminated group',
      ),
    ],
  ],
  [
    'a phone without its country code, or no possible number, which never matched (found by an attack)',
    '[{ match: { any: [{ phone: "3125550143" }, { phone: { in: ["+1 555", "call me"] } }] }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'any', 0, 'phone'],
        `"3125550143" has no country code, and an event's phone always has one (E.164): write + and the country code first, e.g. "+13125550143"`,
      ),
      issue(
        [0, 'match', 'any', 1, 'phone', 'in', 0],
        '"+1 555" is not a possible phone number; write it in E.164, e.g. "+13125550143"',
      ),
      issue(
        [0, 'match', 'any', 1, 'phone', 'in', 1],
        '"call me" is not a phone number; write one in E.164, e.g. "+13125550143"',
      ),
    ],
  ],
  [
    'a leading flag group with a letter JavaScript has no flag for, naming the ones it has',
    '[{ match: { text: { regex: "(?ix)^stop$" } }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'text', 'regex'],
        'bad regex "(?ix)^stop$": a leading (?ix) sets flags, and "x" is not a flag a route regex has; use i (ignore case), m (^ and $ match at line ends), s (. matches a line break)',
      ),
    ],
  ],
  [
    'inline flags after the start, saying where they work',
    '[{ match: { text: { regex: "^(?i)stop$" } }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'text', 'regex'],
        'bad regex "^(?i)stop$": Invalid regular expression: /^(?i)stop$/: Invalid group (flags such as (?i) work only at the very start of the pattern)',
      ),
    ],
  ],
  [
    'a regex that \\p{…} puts in Unicode mode, where it is not valid, saying why',
    "[{ match: { text: { regex: '^\\p{Lu}{' } }, to: [audit] }]",
    [
      issue(
        [0, 'match', 'text', 'regex'],
        'bad regex "^\\\\p{Lu}{": Invalid regular expression: /^\\p{Lu}{/u: Incomplete quantifier (\\p{…}, \\P{…} and \\u{…} need Unicode mode, which is stricter: escape a literal { } ( ) [ ] as \\{ and so on)',
      ),
    ],
  ],
  [
    'an unknown status name, with the nearest known one',
    '[{ match: { status: DELIVERD }, to: [audit] }]',
    [issue([0, 'match', 'status'], '"DELIVERD" is not a delivery status (did you mean DELIVERED?)')],
  ],
  [
    'bad statuses inside a list, each at its index',
    '[{ match: { status.code: [SENT, DELIVERD, 0, true] }, to: [audit] }]',
    [
      issue([0, 'match', 'status.code', 1], '"DELIVERD" is not a delivery status (did you mean DELIVERED?)'),
      issue([0, 'match', 'status.code', 2], '0 is not a delivery status code'),
      issue([0, 'match', 'status.code', 3], 'true is not a delivery status'),
    ],
  ],
  [
    'an UNKNOWN_ name for a known code',
    '[{ match: { status.name: UNKNOWN_4 }, to: [audit] }]',
    [issue([0, 'match', 'status.name'], '"UNKNOWN_4" names a known code; write DELIVERED')],
  ],
  [
    'an unknown event type, with the nearest known one',
    '[{ match: { type: delivery-statsu }, to: [audit] }]',
    [issue([0, 'match', 'type'], '"delivery-statsu" is not an event type (did you mean delivery-status?)')],
  ],
  [
    'an unknown destination, with the nearest known one',
    '[{ to: [audit, ops-slak, nobody, 5] }]',
    [
      issue([0, 'to', 1], 'unknown destination "ops-slak" (did you mean ops-slack?)'),
      issue([0, 'to', 2], 'unknown destination "nobody"'),
      issue([0, 'to', 3], '5 is not a destination name'),
    ],
  ],
  [
    'an unknown route key, with the nearest known one',
    '[{ to: [audit], contineu: true }]',
    [issue([0, 'contineu'], 'unknown key "contineu" in a route (did you mean continue?)')],
  ],
  [
    'an unknown operator, with the nearest known one, also under not',
    '[{ match: { status: { regx: x }, text: { not: { exist: true } } }, to: [audit] }]',
    [
      issue([0, 'match', 'status', 'regx'], 'unknown operator "regx" (did you mean regex?)'),
      issue([0, 'match', 'text', 'not', 'exist'], 'unknown operator "exist" (did you mean exists?)'),
    ],
  ],
  [
    'two operators in one condition, or none',
    '[{ match: { status: { in: [SENT], regex: x }, text: {} }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'status'],
        'a condition takes one operator, not in and regex; combine conditions with all: [...]',
      ),
      issue(
        [0, 'match', 'text'],
        'a condition mapping needs one of in, not, regex, exists, gt, gte, lt, lte',
      ),
    ],
  ],
  [
    'to that is not a list',
    '[{ to: 5 }]',
    [issue([0, 'to'], 'to is a list of destination names, e.g. [audit], not 5')],
  ],
  ['to that is empty', '[{ to: [] }]', [issue([0, 'to'], 'to is empty; name at least one destination')]],
  ['a route without to', '[{ name: lost }]', [issue([0], 'a route needs to: [destination, ...]')]],
  [
    'comparisons with a non-number, or on fields that cannot be ordered',
    '[{ match: { messageId: { gt: "x" }, type: { lt: 2 }, status.failed: { gte: 1 } }, to: [audit] }]',
    [
      issue([0, 'match', 'messageId', 'gt'], 'gt needs a number, not "x"'),
      issue([0, 'match', 'type', 'lt'], 'type cannot be compared with lt'),
      issue([0, 'match', 'status.failed', 'gte'], 'status.failed cannot be compared with gte'),
    ],
  ],
  [
    'values of the wrong kind for their field',
    '[{ match: { status.failed: "yes", tags.vip: true, payload.x: null, messageId: abc, type: 5 }, to: [audit] }]',
    [
      issue([0, 'match', 'status.failed'], 'status.failed is true or false, not "yes"'),
      issue([0, 'match', 'tags.vip'], 'tags.vip is text; quote the value ("true") to match it'),
      issue(
        [0, 'match', 'payload.x'],
        'null never matches; use { exists: false } for a missing or null value',
      ),
      issue([0, 'match', 'messageId'], 'messageId is a number, not "abc"'),
      issue(
        [0, 'match', 'type'],
        '5 is not an event type; types are delivery-status, message-reply, message-send, number-opt-in, unrecognized',
      ),
    ],
  ],
  [
    'operators with operands of the wrong shape',
    '[{ match: { tags.x: { exists: "yes" }, tags.y: { in: 5 }, tags.z: { in: [] }, tags.w: [], text: { regex: 5 } }, to: [audit] }]',
    [
      issue([0, 'match', 'tags.x', 'exists'], 'exists is true or false, not "yes"'),
      issue([0, 'match', 'tags.y', 'in'], 'in takes a list of values, not 5'),
      issue([0, 'match', 'tags.z', 'in'], 'an empty list matches nothing; list at least one value'),
      issue([0, 'match', 'tags.w'], 'an empty list matches nothing; list at least one value'),
      issue([0, 'match', 'text', 'regex'], 'regex takes a string, not 5'),
    ],
  ],
  [
    'combinators of the wrong shape',
    '[{ match: { any: [], all: { type: message-reply }, not: 5 }, to: [audit] }]',
    [
      issue(
        [0, 'match', 'any'],
        'any takes a non-empty list of matches, e.g. any: [{ type: message-reply }, { status.failed: true }]',
      ),
      issue(
        [0, 'match', 'all'],
        'all takes a non-empty list of matches, e.g. all: [{ type: message-reply }, { status.failed: true }]',
      ),
      issue(
        [0, 'match', 'not'],
        'a match is a mapping of field paths to conditions, e.g. { type: message-reply }, not 5',
      ),
    ],
  ],
  [
    'problems deep inside combinators, at their full path',
    '[{ match: { any: [{ stauts: 1 }, { all: [{ type: nope }] }], not: { text: { regex: "[" } } }, to: [audit] }]',
    [
      issue([0, 'match', 'any', 0, 'stauts'], 'unknown field path "stauts" (did you mean status?)'),
      issue([0, 'match', 'any', 1, 'all', 0, 'type'], '"nope" is not an event type'),
      issue(
        [0, 'match', 'not', 'text', 'regex'],
        'bad regex "[": Invalid regular expression: /[/: Unterminated character class',
      ),
    ],
  ],
  [
    'a match that is not a mapping',
    '[{ match: [1], to: [audit] }]',
    [
      issue(
        [0, 'match'],
        'a match is a mapping of field paths to conditions, e.g. { type: message-reply }, not a list',
      ),
    ],
  ],
  [
    'duplicate and malformed route names',
    '[{ name: a, to: [audit] }, { name: a, to: [audit] }, { name: route-3, to: [audit] }, { to: [audit] }, { name: 5, to: [audit] }]',
    [
      issue([1, 'name'], 'route name "a" is already used by routes[0]'),
      issue([3], 'this route\'s default name "route-3" is already used by routes[2]; give it a name'),
      issue([4, 'name'], 'name is a non-empty string, not 5'),
    ],
  ],
  [
    'continue that is not a boolean',
    '[{ to: [audit], continue: yes }]',
    [issue([0, 'continue'], 'continue is true or false, not "yes"')],
  ],
  [
    'routes that are not mappings',
    '[5, null]',
    [
      issue([0], 'a route is a mapping such as { name: audit, to: [audit] }, not 5'),
      issue([1], 'a route is a mapping such as { name: audit, to: [audit] }, not null'),
    ],
  ],
  ['routes that are not a list', '{ name: a }', [issue([], 'routes is a list of routes, not a mapping')]],
  [
    'several problems across routes, every one with its own path',
    `
- name: failed
  match: { stauts: DELIVERY_FAILED }
  to: [ops-slack]
- name: replies
  match: { type: message-reply, text: { regex: "(" } }
  to: [suport-mail]
  contnue: true
- name: failed
  match: { status: [DELIVERD, 6] }
  to: [audit]
`,
    [
      issue([0, 'match', 'stauts'], 'unknown field path "stauts" (did you mean status?)'),
      issue([1, 'contnue'], 'unknown key "contnue" in a route (did you mean continue?)'),
      issue(
        [1, 'match', 'text', 'regex'],
        'bad regex "(": Invalid regular expression: /(/: Unterminated group',
      ),
      issue([1, 'to', 0], 'unknown destination "suport-mail" (did you mean support-mail?)'),
      issue([2, 'match', 'status', 0], '"DELIVERD" is not a delivery status (did you mean DELIVERED?)'),
      issue([2, 'name'], 'route name "failed" is already used by routes[0]'),
    ],
  ],
];

describe('routing: building routes from config', () => {
  for (const [name, routes, expected] of cases) {
    it(`reports ${name}`, () => {
      expect(issues(routes)).to.deep.equal(expected);
    });
  }

  it('builds the contract example without issues', () => {
    const routes = `
- name: failed-deliveries
  match: { type: delivery-status, status: [DELIVERY_FAILED, UNDELIVERED, 10] }
  to: [ops-slack]
  continue: true
- name: vip
  match: { tags.tier: vip, any: [{ type: message-reply }, { status.failed: true }] }
  to: [crm]
  continue: true
- name: replies
  match: { type: message-reply, text: { regex: "^(?!STOP$)" } }
  to: [support-mail, crm]
- name: everything
  to: [audit]
`;
    expect(issues(routes)).to.deep.equal([]);
  });

  it('reads a missing or empty routes key as no routes', () => {
    for (const raw of [undefined, null, []]) {
      const built = buildRouter(raw, DESTINATIONS, CATALOG);
      expect(E.isRight(built) && built.right.routeNames).to.deep.equal([]);
    }
  });

  it('accepts every known field path', () => {
    const match = [
      'type: message-send',
      'version: 2',
      'source: mta',
      'status: SENT',
      'status.code: 3',
      'status.name: SENT',
      'status.failed: false',
      'status.final: false',
      'phone: "+13125550143"',
      'text: hi',
      'optInType: web',
      'messageId: 1',
      'externalId: x',
      'senderName: Acme',
      'tags.campaign: spring',
      'payload.list.0.id: 7',
    ].join(', ');
    expect(issues(`[{ match: { ${match} }, to: [audit] }]`)).to.deep.equal([]);
  });
});
