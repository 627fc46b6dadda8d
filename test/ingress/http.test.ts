import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const fixture = (v: number, name: string) =>
  readFileSync(join(ROOT, 'test/fixtures/mta', `v${v}`, `${name}.json`));

// The source answers undecodable bodies 400 (`onUndecodable: reject`); the default, keeping authentic ones as
// `unrecognized` events, is in quarantine.test.ts.
describe('ingress over HTTP', () => {
  let gw: Awaited<ReturnType<typeof startService>>;

  before(async () => {
    gw = await startService(
      `destinations:
  audit: { type: file, path: AUDIT }
routes:
  - name: everything
    to: [audit]`.replace('AUDIT', '"$' + '{AUDIT_PATH}"'),
      { secret: SECRET, env: { AUDIT_PATH: '/dev/null' }, onUndecodable: 'reject' },
    );
  });
  after(() => gw.stop());

  async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(gw.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  /** A unique V3 message-send body without `type`: only the URL's event types it. */
  const untypedSend = (messageId: number) => {
    const { type: _type, ...rest } = JSON.parse(fixture(3, 'message-send').toString());
    return JSON.stringify({ ...rest, messageId });
  };
  const signed = (body: string | Buffer, extra: Record<string, string> = {}) => ({
    'x-signature': sign(SECRET, body),
    ...extra,
  });

  it('answers 200 with an id for a signed V3 delivery status', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(200);
    expect(res.body.id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.duplicate).to.equal(false);
  });

  it('accepts the event type from the URL', async () => {
    const parsed = JSON.parse(fixture(3, 'message-reply').toString());
    delete parsed.type;
    const body = JSON.stringify(parsed);
    const res = await post('/webhooks/mta/message-reply', body, signed(body));
    expect(res.status).to.equal(200);
  });

  it('answers 200 with duplicate: true when the same body comes again', async () => {
    const body = fixture(3, 'message-send');
    const first = await post('/webhooks/mta', body, signed(body));
    const again = await post('/webhooks/mta', body, signed(body));
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal({ id: first.body.id, duplicate: true });
  });

  it('takes the same body posted to two event URLs as two events, and a repeat on one URL as its duplicate', async () => {
    // MTA registers one URL per event type; a body without `type` is typed by its URL alone.
    const body = untypedSend(770_001);
    const asSend = await post('/webhooks/mta/message-send', body, signed(body));
    const asStatus = await post('/webhooks/mta/delivery-status', body, signed(body));
    const again = await post('/webhooks/mta/delivery-status', body, signed(body));
    expect([asSend.status, asStatus.status, again.status]).to.deep.equal([200, 200, 200]);
    expect(asStatus.body.duplicate).to.equal(false);
    expect(asStatus.body.id).to.not.equal(asSend.body.id);
    expect(again.body).to.deep.equal({ id: asStatus.body.id, duplicate: true });
    const types = await Promise.all(
      [asSend, asStatus].map(async (r) => (await gw.service.store.getEvent({ id: r.body.id }))?.event.type),
    );
    expect(types).to.deep.equal(['message-send', 'delivery-status']);
  });

  it('takes one event type however its URL spells it, and a typed body bare or on its URL, as one event', async () => {
    const untyped = untypedSend(770_002);
    const first = await post('/webhooks/mta/delivery-status', untyped, signed(untyped));
    for (const spelling of ['DELIVERY_STATUS', 'Delivery-Status', 'delivery_status']) {
      const again = await post(`/webhooks/mta/${spelling}`, untyped, signed(untyped));
      expect(again.body, spelling).to.deep.equal({ id: first.body.id, duplicate: true });
    }
    const typed = JSON.stringify({
      ...JSON.parse(fixture(3, 'delivery-status').toString()),
      messageId: 770_003,
    });
    const bare = await post('/webhooks/mta', typed, signed(typed));
    const onUrl = await post('/webhooks/mta/delivery-status', typed, signed(typed));
    expect(bare.body.duplicate).to.equal(false);
    expect(onUrl.body).to.deep.equal({ id: bare.body.id, duplicate: true });
  });

  it('answers 401 when X-Signature is missing', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body);
    expect(res.status).to.equal(401);
    expect(res.body.error).to.match(/missing X-Signature/);
  });

  it('answers 401 when X-Signature is wrong', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body, { 'x-signature': sign('another-secret', body) });
    expect(res.status).to.equal(401);
  });

  it('answers 401 when X-Signature is sent twice, saying so rather than blaming the secret (found by a newcomer trial)', async () => {
    const { request } = await import('node:http');
    const body = fixture(3, 'delivery-status');
    const signature = sign(SECRET, body);
    const answer = await new Promise<{ status: number; error: string }>((resolve, reject) => {
      const req = request(`${gw.url}/webhooks/mta`, { method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, error: JSON.parse(text).error }));
      });
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.setHeader('x-signature', [signature, signature]); // two header lines
      req.end(body);
    });
    expect(answer).to.deep.equal({
      status: 401,
      error: 'X-Signature was sent more than once (the values arrive joined by commas): send it once',
    });
  });

  it('answers 401 when the signature was uppercased, saying so (MTA signs in lowercase hex)', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body, { 'x-signature': sign(SECRET, body).toUpperCase() });
    expect(res.status).to.equal(401);
    // "got 64 characters" told a sender with the right length nothing about what was wrong.
    expect(res.body.error).to.equal(
      'X-Signature is not an HMAC-SHA256 in lowercase hex (MTA sends 64 digits 0-9, a-f; got uppercase A-F)',
    );
  });

  it('answers 401 naming a prefix before the hex digits (sha256=, as other providers send)', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body, { 'x-signature': `sha256=${sign(SECRET, body)}` });
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal(
      'X-Signature is not an HMAC-SHA256 in hex (MTA sends 64 digits 0-9, a-f and nothing else; got "sha256=" before them)',
    );
  });

  it('answers 401 naming X-Signature as malformed when it is not 64 lowercase hex digits (found by an attack)', async () => {
    const body = fixture(3, 'delivery-status');
    const good = sign(SECRET, body);
    for (const bad of [`${good.slice(0, 62)}zz`, `${good}a`, good.slice(0, 40), 'not-a-signature']) {
      const res = await post('/webhooks/mta', body, { 'x-signature': bad });
      expect(res.status, bad).to.equal(401);
      expect(res.body.error, bad).to.match(/^X-Signature is not an HMAC-SHA256 in hex/);
    }
  });

  it('answers 401 when the body was altered after signing', async () => {
    const body = fixture(3, 'delivery-status');
    const tampered = Buffer.from(body.toString().replace('"status": 9', '"status": 4'));
    const res = await post('/webhooks/mta', tampered, signed(body));
    expect(res.status).to.equal(401);
  });

  it('answers 400 for malformed JSON', async () => {
    const body = '{"type": "delivery-status",';
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('body is not valid JSON');
  });

  it('answers 400 for JSON that is not an object', async () => {
    for (const body of ['[1,2]', '"text"', 'null', '42']) {
      const res = await post('/webhooks/mta', body, signed(body));
      expect(res.status, body).to.equal(400);
      expect(res.body.error, body).to.match(/object/);
    }
  });

  it('answers 400 naming every field of the wrong type', async () => {
    const body = JSON.stringify({
      ...JSON.parse(fixture(3, 'delivery-status').toString()),
      messageId: 'abc',
      status: 'x',
      tags: [1],
    });
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).to.include.members(['messageId', 'status', 'tags']);
  });

  it('answers 400 naming a documented field sent with the wrong type', async () => {
    const parsed = JSON.parse(fixture(3, 'delivery-status').toString());
    parsed.destinationNumber = { number: parsed.destinationNumber };
    const body = JSON.stringify(parsed);
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).to.include('destinationNumber');
  });

  it('answers 400 for an unknown event type in the body and 404 for one in the URL', async () => {
    const body = JSON.stringify({
      ...JSON.parse(fixture(3, 'delivery-status').toString()),
      type: 'delivery-statsu',
    });
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    const good = fixture(3, 'delivery-status');
    const res404 = await post('/webhooks/mta/no-such-event', good, signed(good));
    expect(res404.status).to.equal(404);
  });

  it('answers 400 when the body type and the URL event disagree', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta/message-reply', body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.error)
      .to.match(/delivery-status/)
      .and.match(/message-reply/);
  });

  it('answers 404 for an unknown source without naming the configured ones, which only the log names', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/nope', body, signed(body));
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({
      error: `unknown source "nope": check the source name in the URL (/webhooks/<source>) against the gateway's config`,
    });
    const line = gw.capture.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'webhook refused' && l.reason === 'unknown_source');
    expect(line).to.deep.include({ status: 404, configured: 'mta', error: res.body.error });
  });

  it('answers 405 naming the method to use when a webhook URL is fetched with GET (found by a newcomer trial)', async () => {
    // `curl URL` without -X POST used to read "no route for GET /webhooks/mta", as if the URL were wrong.
    const res = await fetch(`${gw.url}/webhooks/mta/delivery-status`);
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('POST');
    expect(await res.json()).to.deep.equal({
      error: 'GET is not allowed on /webhooks/mta/delivery-status: it takes POST',
    });
  });

  it('cuts the path quoted in a 404 to 64 characters, as any request input', async () => {
    const res = await fetch(`${gw.url}/${'y'.repeat(3000)}`);
    expect(res.status).to.equal(404);
    expect(await res.json()).to.deep.equal({ error: `no route for GET /${'y'.repeat(63)}…` });
  });

  it('answers 413 for a body over the limit', async () => {
    const body = JSON.stringify({ type: 'delivery-status', pad: 'x'.repeat(300 * 1024) });
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(413);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const body = fixture(3, 'delivery-status');
    const res = await post('/webhooks/mta', body, signed(body, { 'content-type': 'text/plain' }));
    expect(res.status).to.equal(415);
  });

  it('keeps __proto__ and constructor keys in tags as plain data without polluting prototypes', async () => {
    const body = `{"destinationNumber":"+13125550143","messageId":1,"externalId":"x","status":4,"timestamp":"2026-11-28T14:03:11.512Z","type":"delivery-status","tags":{"__proto__":{"polluted":"yes"},"constructor":"c"}}`;
    const res = await post('/webhooks/mta', body, signed(body));
    expect([200, 400]).to.include(res.status);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect((Object.prototype as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('answers 400 for deeply nested JSON', async () => {
    const body = `{"type":"delivery-status","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.error).to.match(/nested deeper/);
  });

  it('answers 400 for invalid UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('{"type":"delivery-status","x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.error).to.match(/UTF-8/);
  });

  it('keeps signed bodies that fail decoding in the rejected log', async () => {
    const body = JSON.stringify({ type: 'delivery-status', messageId: 'kept-for-inspection' });
    await post('/webhooks/mta', body, signed(body));
    const page = await gw.service.store.listRejected({ limit: 100 });
    expect(page.items.some((r) => r.body === body)).to.equal(true);
  });

  it('does not keep unsigned garbage in the rejected log', async () => {
    const body = JSON.stringify({ type: 'delivery-status', messageId: 'unsigned-garbage' });
    await post('/webhooks/mta', body, { 'x-signature': 'f'.repeat(64) });
    const page = await gw.service.store.listRejected({ limit: 100 });
    expect(page.items.some((r) => r.body === body)).to.equal(false);
  });

  it('keeps serving after every kind of bad input', async () => {
    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).to.equal(200);
    const body = fixture(3, 'number-opt-in');
    const res = await post('/webhooks/mta', body, signed(body));
    expect(res.status).to.equal(200);
  });
});
