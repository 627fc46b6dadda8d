import { expect } from 'chai';
import { envelope } from '../../src/sources/envelope.ts';

describe('the event envelope', () => {
  const meta = { id: 'e1', source: 'mta', receivedAt: '2026-01-01T00:00:00.000Z', body: {} };

  it('keeps fields named like Object.prototype members as plain fields', () => {
    const fields = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":"c","toString":"t","hasOwnProperty":"h"}',
    );
    const event = envelope({ type: 'x', fields }, meta) as unknown as Record<string, unknown>;
    expect(Object.hasOwn(event, '__proto__')).to.equal(true);
    expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).to.deep.equal({ polluted: 1 });
    expect((event as { polluted?: unknown }).polluted).to.equal(undefined);
    expect([event.constructor, event.toString, event.hasOwnProperty]).to.deep.equal(['c', 't', 'h']);
    expect(event.type).to.equal('x');
  });
});
