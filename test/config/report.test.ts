import { expect } from 'chai';
import * as t from 'io-ts';
import { checkKeys, knownKeys } from '../../src/config/keys.ts';
import { reportErrors } from '../../src/config/report.ts';
import { Secrets } from '../../src/config/secrets.ts';

function issues(codec: t.Mixed, value: unknown, secrets?: Secrets) {
  const result = codec.decode(value);
  if (result._tag === 'Right') throw new Error('expected a decode error');
  return reportErrors(result.left, secrets);
}

describe('config error reporter', () => {
  it('describes io-ts built-in types in plain words with the key path', () => {
    const codec = t.type({ a: t.string, b: t.array(t.number), c: t.boolean });
    expect(issues(codec, { a: 1, b: [1, 'x'], c: 'yes' })).to.deep.equal([
      { path: ['a'], message: 'expected a string, got 1' },
      { path: ['b', 1], message: 'expected a number, got "x"' },
      { path: ['c'], message: 'expected true or false, got "yes"' },
    ]);
  });

  it('says a required key is missing', () => {
    expect(issues(t.type({ url: t.string }), {})).to.deep.equal([
      { path: ['url'], message: 'missing (expected a string)' },
    ]);
  });

  it('passes a codec’s own message through', () => {
    const port = new t.Type<number, number, unknown>(
      'Port',
      (u): u is number => typeof u === 'number',
      (u, c) => t.failure(u, c, 'must be a port number (1-65535)'),
      t.identity,
    );
    expect(issues(t.type({ port }), { port: 0 })).to.deep.equal([
      { path: ['port'], message: 'must be a port number (1-65535)' },
    ]);
  });

  it('describes a union of scalars once, with a suggestion for near-miss literals', () => {
    expect(issues(t.type({ x: t.union([t.string, t.number]) }), { x: true })).to.deep.equal([
      { path: ['x'], message: 'expected a string or a number, got true' },
    ]);
    const method = t.keyof({ POST: null, PUT: null });
    expect(issues(t.type({ method }), { method: 'PUTT' })).to.deep.equal([
      { path: ['method'], message: 'expected one of "POST", "PUT", got "PUTT" (did you mean PUT?)' },
    ]);
    const body = t.union([t.literal('event'), t.literal('payload')]);
    expect(issues(t.type({ body }), { body: 'evnt' })).to.deep.equal([
      { path: ['body'], message: 'expected "event" or "payload", got "evnt" (did you mean event?)' },
    ]);
  });

  it('explains the union branch that came closest when the value has the right shape', () => {
    const codec = t.union([t.type({ token: t.string, channel: t.string }), t.type({ webhookUrl: t.string })]);
    expect(issues(codec, { token: 'x', channel: 5 })).to.deep.equal([
      { path: ['channel'], message: 'expected a string, got 5' },
    ]);
  });

  it('does not put intersection or exact branches into the path', () => {
    const codec = t.exact(
      t.intersection([t.type({ a: t.string }), t.partial({ b: t.type({ c: t.number }) })]),
    );
    expect(issues(codec, { a: 'x', b: { c: 'no' } })).to.deep.equal([
      { path: ['b', 'c'], message: 'expected a number, got "no"' },
    ]);
  });

  it('hides values that are secrets', () => {
    expect(issues(t.type({ n: t.number }), { n: 'hunter22' }, new Secrets(['hunter22']))).to.deep.equal([
      { path: ['n'], message: 'expected a number, got a secret value (hidden)' },
    ]);
  });
});

describe('unknown keys in plugin options', () => {
  const Smtp = t.exact(
    t.intersection([
      t.type({ host: t.string }),
      t.partial({ auth: t.exact(t.type({ user: t.string, pass: t.string })) }),
    ]),
  );
  const Options = t.exact(t.type({ smtp: Smtp, to: t.array(t.exact(t.type({ address: t.string }))) }));

  it('reads the declared keys off composite codecs', () => {
    expect(knownKeys(Options)).to.deep.equal(['smtp', 'to']);
    expect(knownKeys(Smtp)).to.deep.equal(['host', 'auth']);
    expect(knownKeys(t.string)).to.equal(undefined);
  });

  it('reports unknown keys at any depth and strips them', () => {
    const value = { smtp: { host: 'h', auth: { user: 'u', pas: 'p' } }, to: [{ adress: 'a' }], extra: 1 };
    const result = checkKeys(Options, value, ['destinations', 'mail']);
    expect(result.issues).to.deep.equal([
      {
        path: ['destinations', 'mail', 'smtp', 'auth', 'pas'],
        message: 'unknown key "pas" (did you mean pass?)',
      },
      {
        path: ['destinations', 'mail', 'to', 0, 'adress'],
        message: 'unknown key "adress" (did you mean address?)',
      },
      { path: ['destinations', 'mail', 'extra'], message: 'unknown key "extra" (allowed here: smtp, to)' },
    ]);
    expect(result.value).to.deep.equal({ smtp: { host: 'h', auth: { user: 'u' } }, to: [{}] });
  });

  it('leaves codecs it cannot see into to decide for themselves', () => {
    expect(checkKeys(t.unknown, { anything: 1 }, []).issues).to.deep.equal([]);
  });
});
