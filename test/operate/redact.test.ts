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

  describe('base64 and hex of a secret inside bytes around it (a property over random secrets and neighbours)', () => {
    const R = '[redacted]';
    const secrets = fc.oneof(
      fc.string({ minLength: 6, maxLength: 32 }),
      fc.string({ unit: 'binary', minLength: 6, maxLength: 12 }),
    );
    const around = fc.uint8Array({ maxLength: 12 });

    /**
     * Every character of `encoded` in [start, end) carries a bit of the secret: what is kept before the first
     * replacement must lie before `start` and what is kept after the last one after `end`, and decoding what
     * is left at any alignment must not give the secret back.
     */
    function expectOnlyNeighboursKept(out: string, encoded: string, start: number, end: number) {
      expect(out, encoded).to.include(R);
      const before = out.slice(0, out.indexOf(R));
      const after = out.slice(out.lastIndexOf(R) + R.length);
      expect(
        encoded.slice(0, start).startsWith(before),
        `${out} kept too much before, of ${encoded}`,
      ).to.equal(true);
      expect(encoded.slice(end).endsWith(after), `${out} kept too much after, of ${encoded}`).to.equal(true);
      return out.split(R).join('');
    }

    for (const [name, alphabet, padded] of [
      ['base64', 'base64', true],
      ['base64 without padding', 'base64', false],
      ['base64url', 'base64url', false],
    ] as const) {
      it(`leaves no character of ${name} that carries a bit of the secret, at every offset`, () => {
        fc.assert(
          fc.property(secrets, around, around, (secret, prefix, suffix) => {
            const bytes = Buffer.from(secret, 'utf8');
            let encoded = Buffer.concat([prefix, bytes, suffix]).toString(alphabet);
            if (!padded) encoded = encoded.replace(/=+$/, '');
            const start = Math.floor((prefix.length * 8) / 6);
            const end = Math.ceil(((prefix.length + bytes.length) * 8) / 6);
            const kept = expectOnlyNeighboursKept(
              new Redactor([secret]).redact(encoded),
              encoded,
              start,
              end,
            );
            for (let skip = 0; skip < 4; skip++)
              expect(Buffer.from(kept.slice(skip), alphabet).includes(bytes)).to.equal(false);
          }),
          { numRuns: 300 },
        );
      });
    }

    for (const upper of [false, true]) {
      it(`hides ${upper ? 'uppercase' : 'lowercase'} hex of the secret inside hex of other bytes`, () => {
        fc.assert(
          fc.property(secrets, around, around, (secret, prefix, suffix) => {
            const bytes = Buffer.from(secret, 'utf8');
            const hex = Buffer.concat([prefix, bytes, suffix]).toString('hex');
            const encoded = upper ? hex.toUpperCase() : hex;
            const out = new Redactor([secret]).redact(`id=${encoded};`);
            const kept = expectOnlyNeighboursKept(
              out.slice(3, -1),
              encoded,
              prefix.length * 2,
              (prefix.length + bytes.length) * 2,
            );
            expect(kept.toLowerCase()).not.to.include(bytes.toString('hex'));
          }),
          { numRuns: 300 },
        );
      });
    }

    it('hides a short password in Basic auth at each of the three offsets, to the last character', () => {
      const secret = 'hunter22';
      for (const user of ['ab', 'abc', 'abcd', 'user']) {
        const encoded = b64(`${user}:${secret}`);
        const p = user.length + 1;
        const out = new Redactor([secret]).redact(`Authorization: Basic ${encoded}`);
        const start = Math.floor((p * 8) / 6);
        const end = Math.ceil(((p + secret.length) * 8) / 6);
        expect(out, user).to.equal(
          `Authorization: Basic ${encoded.slice(0, start)}${R}${encoded.slice(end)}`,
        );
      }
    });
  });

  it('hides the key of a whsec_ secret: its base64 text and the key bytes in hex, base64 and base64url', () => {
    const key = Buffer.from('0123456789abcdefghijklmnopqrstuv');
    const whsec = new Redactor([`whsec_${key.toString('base64')}`]);
    for (const text of [
      `whkeyb64=${key.toString('base64')}`,
      `key=${encodeURIComponent(key.toString('base64'))}`,
      `hex=${key.toString('hex')}`,
      `HEX=${key.toString('hex').toUpperCase()}`,
      `b64url=${key.toString('base64url')}`,
      `inside=${Buffer.concat([Buffer.from('k:'), key]).toString('base64')}`,
    ]) {
      const out = whsec.redact(text);
      expect(out, text).to.include('[redacted]');
      expect(Buffer.from(out.split('=').slice(1).join('='), 'base64').includes(key), text).to.equal(false);
    }
    expect(whsec.redact('whkeyb64=MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).to.equal(
      'whkeyb64=MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
  });

  it('leaves short values and ordinary text alone', () => {
    const short = new Redactor(['8080', 'info']);
    expect(short.redact('listening on 8080 at level info')).to.equal('listening on 8080 at level info');
    expect(r.redact('nothing to see here')).to.equal('nothing to see here');
  });
});
