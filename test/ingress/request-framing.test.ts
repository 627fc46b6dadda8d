import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'framing-secret-0123456789abcdef';
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

/**
 * Sends `head` (header lines, without the request line and the blank line after them) and `body` as one HTTP/1.1
 * POST to /webhooks/mta on a raw connection, byte for byte as written (fetch and http.request fold or refuse the
 * headers these tests need), and resolves with the status and the JSON answer once the server closes.
 */
function rawPost(
  port: number,
  head: string[],
  body: Buffer,
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
    const lines = ['POST /webhooks/mta HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...head];
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
