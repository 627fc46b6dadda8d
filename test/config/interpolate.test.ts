// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${NAME} is the interpolation syntax under test.
import { expect } from 'chai';
import { interpolate } from '../../src/config/interpolate.ts';

describe('config interpolation', () => {
  it('replaces ${NAME} from the environment, anywhere in a string', () => {
    const r = interpolate({ a: { b: ['x-${USER}-y'] } }, { USER: 'ann' });
    expect(r.value).to.deep.equal({ a: { b: ['x-ann-y'] } });
    expect(r.issues).to.deep.equal([]);
  });

  it('uses the fallback of ${NAME:-fallback} only when the variable is not set', () => {
    const r = interpolate({ a: '${A:-one}', b: '${B:-two}', c: '${C:-}' }, { A: 'set' });
    expect(r.value).to.deep.equal({ a: 'set', b: 'two', c: '' });
    expect(r.issues).to.deep.equal([]);
  });

  it('reports a missing variable without a default at the value’s key path', () => {
    const r = interpolate({ sources: { mta: { secret: '${MTA_WEBHOOK_SECRET}' } } }, {});
    expect(r.issues).to.deep.equal([
      {
        path: ['sources', 'mta', 'secret'],
        message:
          'environment variable MTA_WEBHOOK_SECRET is not set (set it, or write ${MTA_WEBHOOK_SECRET:-default})',
      },
    ]);
  });

  it('reports every missing variable, in lists too', () => {
    const r = interpolate({ to: ['${A}', '${B}'] }, {});
    expect(r.issues.map((i) => i.path)).to.deep.equal([
      ['to', 0],
      ['to', 1],
    ]);
  });

  it('writes a literal ${ for $${', () => {
    const r = interpolate({ text: 'cost: $${PRICE} and ${X}' }, { X: 'y', PRICE: 'no' });
    expect(r.value).to.deep.equal({ text: 'cost: ${PRICE} and y' });
  });

  it('reports a malformed reference', () => {
    const r = interpolate({ a: '${not a name}' }, {});
    expect(r.issues[0].path).to.deep.equal(['a']);
    expect(r.issues[0].message).to.include('not a valid variable reference');
  });

  it('reports a ${ that starts no reference, unterminated or not, and keeps none of it as text', () => {
    const r = interpolate(
      { a: '${MTA_X', b: 'x-${A:B}-y', c: 'ok-$${MTA_X', d: '${A}${' },
      { A: 'v', MTA_X: 'm' },
    );
    expect(r.issues.map((i) => [i.path[0], i.message.split(' (')[0]])).to.deep.equal([
      ['a', '"${MTA_X" is not a valid variable reference: it has no closing }'],
      ['b', '"${A:B}" is not a valid variable reference'],
      ['d', '"${" is not a valid variable reference: it has no closing }'],
    ]);
    expect(r.value).to.deep.equal({ a: '', b: 'x--y', c: 'ok-${MTA_X', d: 'v' });
  });

  it('reports a default that holds another reference, instead of keeping "${B:-n}" as literal text (found by an attack)', () => {
    for (const env of [{}, { B: 'b' }, { A: 'a' }]) {
      const r = interpolate({ path: '/tmp/nest_${A:-${B:-n}}.jsonl' }, env);
      expect(
        r.issues.map((i) => i.message),
        JSON.stringify(env),
      ).to.deep.equal([
        'the default of ${A:-...} holds another ${...}: nested references are not supported (give a plain default, or set A)',
      ]);
      expect(String((r.value as { path: string }).path)).not.to.include('${');
    }
    expect(interpolate({ v: '${A:-$${x}' }, {}).issues).to.have.length(1);
  });

  it('leaves numbers, booleans and keys alone', () => {
    const r = interpolate({ '${K}': 1, b: true, c: null }, { K: 'no' });
    expect(r.value).to.deep.equal({ '${K}': 1, b: true, c: null });
  });

  it('records every non-empty substituted value, and the whole string it ended up in, as secrets', () => {
    const r = interpolate(
      { h: 'Bearer ${TOKEN}', e: '${EMPTY:-}', d: '${D:-fallback}' },
      { TOKEN: 'tkn-123' },
    );
    expect(r.secrets).to.have.members(['tkn-123', 'Bearer tkn-123', 'fallback']);
  });
});
