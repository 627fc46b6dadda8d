import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { built, lines, loadText, VALID } from '../config/helpers.ts';
import { startService } from '../helpers/service.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'slow-client-secret-0123456789';
const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'));

/**
 * A raw connection that sends `head`, then one byte of `drip` every 50 ms until the server answers or closes.
 * Resolves with what the server sent and how many drip bytes went out before it did.
 */
function trickle(port: number, head: string, drip: string): Promise<{ answer: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < drip.length && socket.writable) socket.write(drip[sent++]);
      }, 50);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // a reset after the server gave up is part of what is tested
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
    socket.setTimeout(15_000, () => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server never cut the slow client off (sent ${sent} bytes, got "${answer}")`));
    });
  });
}

/** The `error` of the JSON body of a raw HTTP answer. */
function jsonError(answer: string): string {
  return (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: string }).error;
}

describe('slow clients on the webhook listener (server.requestTimeout, server.headersTimeout)', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  before(async () => {
    gw = await startService('', { secret: SECRET, server: 'requestTimeout: 1500ms, headersTimeout: 700ms' });
  });
  after(() => gw.stop());

  it('answers 408 and closes the connection when the body trickles in past requestTimeout', async () => {
    const drip = 'x'.repeat(2000); // 2,000 bytes at 20 a second: 100 s, far past the limit
    const head = `POST /webhooks/mta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Signature: ${sign(SECRET, drip)}\r\nContent-Length: ${drip.length}\r\n\r\n`;
    const { answer, sent } = await trickle(gw.service.address.port, head, drip);
    expect(answer).to.match(/^HTTP\/1\.1 408 /);
    expect(jsonError(answer)).to.include('server.requestTimeout');
    expect(sent).to.be.below(drip.length);
  });

  it('answers 408 when the headers trickle in past headersTimeout', async () => {
    const drip = Array.from({ length: 400 }, (_, i) => `X-Pad-${i}: y\r\n`).join('');
    const { answer, sent } = await trickle(gw.service.address.port, 'POST /webhooks/mta HTTP/1.1\r\n', drip);
    expect(answer).to.match(/^HTTP\/1\.1 408 /);
    expect(sent).to.be.below(drip.length);
  });

  it('answers headers over 16 KB with 431 and a malformed request with 400, each with a JSON error saying why', async () => {
    const huge = `POST /webhooks/mta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'y'.repeat(20_000)}\r\n\r\n`;
    const big = await trickle(gw.service.address.port, huge, '');
    expect(big.answer).to.match(/^HTTP\/1\.1 431 /);
    expect(big.answer).to.match(/\r\nContent-Type: application\/json; charset=utf-8\r\n/i);
    expect(jsonError(big.answer)).to.include('larger than this server accepts (16 KB in all)');
    const bad = await trickle(
      gw.service.address.port,
      'POST /webhooks/mta HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n',
      '',
    );
    expect(bad.answer).to.match(/^HTTP\/1\.1 400 /);
    expect(jsonError(bad.answer)).to.match(/^not a well-formed HTTP\/1\.1 request \(.+\)$/);
    // The admin listener answers the same way.
    const admin = await trickle(gw.service.adminAddress.port, huge.replace('/webhooks/mta', '/readyz'), '');
    expect(admin.answer).to.match(/^HTTP\/1\.1 431 /);
    expect(jsonError(admin.answer)).to.include('16 KB');
  });

  it('still takes an ordinary webhook, and one whose body comes in two parts', async () => {
    const res = await fetch(`${gw.url}/webhooks/mta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, body) },
      body: new Uint8Array(body),
    });
    expect(res.status).to.equal(200);

    const other = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), externalId: 'two-parts' }));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(gw.service.address.port, '127.0.0.1', () => {
        socket.write(
          `POST /webhooks/mta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nX-Signature: ${sign(SECRET, other)}\r\nContent-Length: ${other.length}\r\n\r\n`,
        );
        socket.write(other.subarray(0, 10));
        setTimeout(() => socket.write(other.subarray(10)), 50);
      });
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).to.match(/^HTTP\/1\.1 200 /);
  });
});

describe('server.requestTimeout and server.headersTimeout in the config', () => {
  it('are read as durations', async () => {
    const config = built(await loadText(`server: { requestTimeout: 2m, headersTimeout: 15s }\n${VALID}`));
    expect(config.server).to.include({ requestTimeoutMs: 120_000, headersTimeoutMs: 15_000 });
  });

  it('refuses a headersTimeout longer than the requestTimeout', async () => {
    const result = await loadText(`server: { requestTimeout: 5s, headersTimeout: 10s }\n${VALID}`);
    expect(lines(result)).to.deep.equal([
      'config.yaml:1:31 server.headersTimeout: must not be longer than server.requestTimeout (the headers are part of the request)',
    ]);
  });
});
