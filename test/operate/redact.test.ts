import { expect } from 'chai';
import fc from 'fast-check';
import { Redactor } from '../../src/observability/redact.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('redaction of a secret in the forms it leaks in', () => {
  const secret = 's3cr3t-Pa55/word+';
  const r = new Redactor([secret]);

  it('hides it as is, JSON-escaped, URL-encoded (either case, + for space) and in base64 and base64url', () => {
    const spaced = new Redactor(['pass word 42']);
    for (const text of [
      `x ${secret} y`,
      JSON.stringify({ a: secret }),
      `q=${encodeURIComponent(secret)}&`,
      `q=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`,
      b64(secret),
      Buffer.from(secret).toString('base64url'),
    ])
      expect(r.redact(text), text).to.include('[redacted]');
    expect(spaced.redact('p=pass+word+42')).to.equal('p=[redacted]');
  });

  it('hides it inside Basic user:pass, an AUTH PLAIN blob and any base64 of text around it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (before, after) => {
        const encoded = b64(`${before}${secret}${after}`);
        const out = r.redact(`echo: ${encoded}`);
        expect(out).to.include('[redacted]');
        // What is left cannot be decoded back to the secret.
        expect(
          Buffer.from(out.replace('echo: ', '').replace('[redacted]', ''), 'base64').toString(),
        ).to.not.include(secret);
      }),
    );
    expect(r.redact(b64(`user:${secret}`))).to.include('[redacted]');
    expect(r.redact(b64(`\0user\0${secret}`))).to.include('[redacted]');
  });

  it('leaves short values and ordinary text alone', () => {
    const short = new Redactor(['8080', 'info']);
    expect(short.redact('listening on 8080 at level info')).to.equal('listening on 8080 at level info');
    expect(r.redact('nothing to see here')).to.equal('nothing to see here');
  });
});
