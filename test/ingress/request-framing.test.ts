import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { startGateway } from '../sources/service.ts';

const SECRET = 'framing-secret-0123456789abcdef';
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

/**
 * Sends `head` (header lines, without the request line and the blank line after them) and `body` as one HTTP/1.1
 * POST to `path` (/webhooks/mta unless given) on a raw connection, byte for byte as written (fetch and http.request
 * fold or refuse the headers these tests need), and resolves with the status and the JSON answer once the server
 * closes.
 */
function rawPost(
  port: number,
  head: string[],
  body: Buffer,
  path = '/webhooks/mta',
): Promise<{ status: number; json: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // the server may reset the connection after answering a malformed request
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
      const text = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      if (!status) reject(new Error(`no HTTP answer: ${JSON.stringify(answer)}`));
      else resolve({ status, json: JSON.parse(text) });
    });
    // Not ended: a half-closed connection may be closed by the server before its (asynchronous) answer.
    const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...head];
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  });
}

describe('request framing on webhooks (headers Node reads one way and a proxy another)', () => {
  let gw: Awaited<ReturnType<typeof startService>>;
  let port: number;
  before(async () => {
    gw = await startService('', { secret: SECRET });
    port = gw.service.address.port;
  });
  after(() => gw.stop());

  let count = 0;
  /** A fresh signed V3 delivery status (a distinct externalId, so no answer is an earlier case's duplicate). */
  const signedBody = () => {
    const body = Buffer.from(JSON.stringify({ ...fixture, externalId: `framing-${count++}` }));
    return {
      body,
      signature: `X-Signature: ${sign(SECRET, body)}`,
      length: `Content-Length: ${body.length}`,
    };
  };
  const stored = async () =>
    (await gw.service.store.listEvents({ filter: {}, limit: 100 })).items.map((e) => e.id);

  describe('Content-Type given twice', () => {
    for (const [first, second] of [
      ['application/json', 'text/plain'],
      ['text/plain', 'application/json'],
    ]) {
      it(`answers 400 naming Content-Type for "${first}" then "${second}", and stores nothing`, async () => {
        const before = await stored();
        const { body, signature, length } = signedBody();
        const res = await rawPost(
          port,
          [`Content-Type: ${first}`, `Content-Type: ${second}`, signature, length],
          body,
        );
        expect(res).to.deep.equal({
          status: 400,
          json: {
            error: `Content-Type is given more than once, with different values ("${first}", "${second}"): send one`,
          },
        });
        expect(await stored()).to.deep.equal(before);
      });
    }

    it('reads the same value given twice as one', async () => {
      const { body, signature, length } = signedBody();
      const type = 'Content-Type: application/json';
      const res = await rawPost(port, [type, type, signature, length], body);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      const event = await gw.service.store.getEvent({ id: res.json.id });
      expect(event!.event.type).to.equal('delivery-status');
    });
  });
  describe('Content-Type listing several media types in one line (as a proxy merging two lines sends it)', () => {
    for (const [value, first, second] of [
      ['application/json, text/plain', 'application/json', 'text/plain'],
      ['application/json,text/plain', 'application/json', 'text/plain'],
      ['text/plain, application/json', 'text/plain', 'application/json'],
      ['application/json, application/json, text/plain', 'application/json', 'text/plain'],
      [
        'application/json; charset=utf-8, application/json',
        'application/json; charset=utf-8',
        'application/json',
      ],
      // A quote left open quotes nothing: a reader that knows no quoting sees two types.
      ['application/json; profile="a, text/plain', 'application/json; profile="a', 'text/plain'],
    ]) {
      it(`answers 400 naming both types for "${value}", and stores nothing`, async () => {
        const before = await stored();
        const { body, signature, length } = signedBody();
        const res = await rawPost(port, [`Content-Type: ${value}`, signature, length], body);
        expect(res).to.deep.equal({
          status: 400,
          json: {
            error: `Content-Type lists more than one media type ("${first}", "${second}"): send one`,
          },
        });
        expect(await stored()).to.deep.equal(before);
      });
    }

    for (const value of [
      'application/json; charset=utf-8',
      'application/json; profile="a,b"',
      'application/json; profile="a\\",b"',
      'application/json, application/json',
    ]) {
      it(`takes "${value}" as JSON`, async () => {
        const { body, signature, length } = signedBody();
        const res = await rawPost(port, [`Content-Type: ${value}`, signature, length], body);
        expect(res.status, JSON.stringify(res.json)).to.equal(200);
        const event = await gw.service.store.getEvent({ id: res.json.id });
        expect(event!.event.type).to.equal('delivery-status');
      });
    }

    describe('for a source whose plugin takes forms', () => {
      const FORM = 'application/x-www-form-urlencoded';
      let tmp: ReturnType<typeof tempDir>;
      let forms: Awaited<ReturnType<typeof startGateway>>;
      before(async () => {
        tmp = tempDir('framing-form');
        tmp.write(
          'formy.js',
          `import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'formy',
  options: t.type({}),
  contentTypes: ['${FORM}'],
  authenticate: () => ({ ok: true, secretIndex: 0 }),
  decode: (body) => ({ _tag: 'Right', right: { type: 'sms', fields: { text: body.Body } } }),
  eventTypes: 'open',
  fields: { text: { kind: 'string' } },
};
`,
        );
        forms = await startGateway('sources:\n  formy: { kind: formy, secret: framing-form-secret }\n', {
          pluginDirs: [tmp.dir],
        });
      });
      after(async () => {
        await forms.stop();
        tmp.cleanup();
      });
      const postForm = (value: string) => {
        const body = Buffer.from('Body=hello+there');
        const head = [`Content-Type: ${value}`, `Content-Length: ${body.length}`];
        return rawPost(forms.service.address.port, head, body, '/webhooks/formy');
      };

      for (const [first, second] of [
        [FORM, 'application/json'],
        ['application/json', FORM],
      ]) {
        it(`answers 400 naming both types for "${first}, ${second}"`, async () => {
          expect(await postForm(`${first}, ${second}`)).to.deep.equal({
            status: 400,
            json: {
              error: `Content-Type lists more than one media type ("${first}", "${second}"): send one`,
            },
          });
        });
      }

      for (const value of [`${FORM}; charset=utf-8`, `${FORM},${FORM}`]) {
        it(`takes "${value}" as a form`, async () => {
          const res = await postForm(value);
          expect(res.status, JSON.stringify(res.json)).to.equal(200);
          const event = await forms.service.store.getEvent({ id: res.json.id });
          expect(event!.event).to.deep.include({ type: 'sms', text: 'hello there' });
        });
      }
    });
  });
  describe('Transfer-Encoding other than chunked', () => {
    /** `data` as one chunk and the last chunk (RFC 9112 §7.1). */
    const chunked = (data: Buffer) =>
      Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]);
    const advice =
      'is not supported: the only transfer coding accepted is chunked, alone and once; to send a compressed body, use Content-Encoding (gzip, deflate or br)';

    // Node's parser takes these (chunked is last), removes the chunking and hands on the gzip bytes as the body.
    for (const [what, lines, signedOver] of [
      ['"gzip, chunked" signed over the JSON (was 401)', ['Transfer-Encoding: gzip, chunked'], 'json'],
      [
        '"gzip, chunked" signed over the bytes sent (was 200: kept as an unrecognized event of gzip bytes)',
        ['Transfer-Encoding: gzip, chunked'],
        'wire',
      ],
      ['gzip and chunked on two lines', ['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], 'json'],
    ] as const) {
      it(`answers 415 for ${what}, pointing to Content-Encoding, and stores nothing`, async () => {
        const before = await stored();
        const { body } = signedBody();
        const gzipped = zlib.gzipSync(body);
        const signature = sign(SECRET, signedOver === 'json' ? body : gzipped);
        const res = await rawPost(
          port,
          ['Content-Type: application/json', `X-Signature: ${signature}`, ...lines],
          chunked(gzipped),
        );
        expect(res).to.deep.equal({
          status: 415,
          json: { error: `Transfer-Encoding "gzip, chunked" ${advice}` },
        });
        expect(await stored()).to.deep.equal(before);
      });
    }

    // Node's parser refuses these itself, before the gateway sees the request (listen.ts answers for it).
    for (const [coding, data] of [
      ['gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['chunked, gzip', (b: Buffer) => chunked(zlib.gzipSync(b))],
    ] as const) {
      it(`answers 415 for "${coding}", which Node's parser refuses, with the same advice`, async () => {
        const { body, signature } = signedBody();
        const res = await rawPost(
          port,
          ['Content-Type: application/json', signature, `Transfer-Encoding: ${coding}`],
          data(body),
        );
        expect(res).to.deep.equal({
          status: 415,
          json: { error: `the request's Transfer-Encoding ${advice}` },
        });
      });
    }

    it('still takes a chunked body', async () => {
      const { body, signature } = signedBody();
      const res = await rawPost(
        port,
        ['Content-Type: application/json', signature, 'Transfer-Encoding: chunked'],
        chunked(body),
      );
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
    });
  });
});
