import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import type { MtaEvent as GatewayEvent } from '../../src/sources/mta/event.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'quarantine-secret-0123456789abcdef';
const TOKEN = 'admin-token-quarantine-0123456789';
const fixture = (v: number, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta', `v${v}`, `${name}.json`), 'utf8'));

type Gateway = Awaited<ReturnType<typeof startService>>;

const config = (alerts: Sink, crm: Sink) => `admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }
delivery: { backoff: { initial: 20ms, max: 50ms } }
destinations:
  alerts: { type: http, url: "${alerts.url}" }
  crm: { type: http, url: "${crm.url}" }
routes:
  - name: undecodable
    match: { type: unrecognized }
    to: [alerts]
  - name: statuses
    match: { type: delivery-status }
    to: [crm]`;

async function post(gw: Gateway, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/webhooks/mta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}
const signed = (body: string | Buffer) => ({ 'x-signature': sign(SECRET, body) });

async function api(gw: Gateway, path: string, init: RequestInit = {}) {
  const res = await fetch(`${gw.adminUrl}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

describe('authentic bodies that do not decode are kept as unrecognized events', function () {
  this.timeout(60_000);
  let alerts: Sink;
  let crm: Sink;
  let gw: Gateway;

  beforeEach(async () => {
    alerts = await Sink.start();
    crm = await Sink.start();
    gw = await startService(config(alerts, crm), { secret: SECRET, version: 3 });
  });
  afterEach(async () => {
    await gw.stop();
    await alerts.stop();
    await crm.stop();
  });

  it('answers 200 for a wrong type on a documented field, routes the unrecognized event and lists it', async () => {
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), status: { code: 4 } });
    const res = await post(gw, body, signed(body));
    expect(res.status).to.equal(200);
    expect(res.body.duplicate).to.equal(false);

    await alerts.waitFor(() => alerts.requests.length === 1, 'the unrecognized event at the alerts sink');
    const delivered = alerts.bodies<GatewayEvent>()[0];
    expect(delivered.type).to.equal('unrecognized');
    expect(delivered.id).to.equal(res.body.id);
    expect(delivered.problems).to.deep.include({
      path: 'status',
      message: 'expected a status code (1-14) or name, got an object',
    });
    expect(Buffer.from(delivered.rawBody!, 'base64').toString('utf8')).to.equal(body);
    expect(crm.requests).to.have.length(0);

    const listed = await api(gw, '/events?type=unrecognized');
    expect(listed.status).to.equal(200);
    expect(listed.body.items.map((e: GatewayEvent) => e.id)).to.deep.equal([res.body.id]);
  });

  it('keeps the bytes of a body that is not UTF-8 exactly', async () => {
    const body = Buffer.concat([
      Buffer.from('{"type":"delivery-status","x":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const res = await post(gw, body, signed(body));
    expect(res.status).to.equal(200);
    const stored = await gw.service.store.getEvent({ id: res.body.id });
    expect(stored!.event.type).to.equal('unrecognized');
    expect(stored!.event.payload).to.equal(null);
    expect(Buffer.from(stored!.event.rawBody!, 'base64').equals(body)).to.equal(true);
    expect(stored!.event.problems![0].message).to.equal('body is not valid UTF-8');
  });

  it('answers 401 for an unsigned body on a signed source and stores nothing', async () => {
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), status: { code: 4 } });
    const res = await post(gw, body);
    expect(res.status).to.equal(401);
    const page = await gw.service.store.listEvents({ filter: {}, limit: 10 });
    expect(page.items).to.have.length(0);
    expect((await gw.service.store.listRejected({ limit: 10 })).items).to.have.length(0);
  });

  it('keeps an unsigned undecodable body as unrecognized on a source that allows unsigned bodies', async () => {
    await gw.stop();
    gw = await startService(config(alerts, crm), { secret: SECRET, version: 3, allowUnsigned: true });
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), status: { code: 4 } });
    const res = await post(gw, body);
    expect(res.status).to.equal(200);
    await alerts.waitFor(() => alerts.requests.length === 1, 'the unrecognized event at the alerts sink');
    expect(alerts.bodies<GatewayEvent>()[0].type).to.equal('unrecognized');
  });

  it('answers 401 for a body with a wrong signature and stores nothing', async () => {
    const body = JSON.stringify({ type: 'delivery-status', status: [] });
    const res = await post(gw, body, { 'x-signature': sign('not-the-secret', body) });
    expect(res.status).to.equal(401);
    expect((await gw.service.store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(0);
  });

  it('redecode after a config change delivers the quarantined body once as a normal event', async () => {
    // A V3 account's status without externalId, received while the source was wrongly set to V1, where the
    // documented table requires externalId: quarantined. Setting version 3 and running redecode recovers it.
    writeFileSync(gw.file, readFileSync(gw.file, 'utf8').replace('version: 3', 'version: 1'));
    expect((await gw.service.reload()).ok).to.equal(true);
    const { externalId: _e, ...status } = fixture(3, 'delivery-status');
    const body = JSON.stringify(status);
    const res = await post(gw, body, signed(body));
    expect(res.status).to.equal(200);
    await alerts.waitFor(() => alerts.requests.length === 1, 'the unrecognized event');
    expect(alerts.bodies<GatewayEvent>()[0].problems).to.deep.include({
      path: 'externalId',
      message: 'is required',
    });

    writeFileSync(gw.file, readFileSync(gw.file, 'utf8').replace('version: 1', 'version: 3'));
    expect((await gw.service.reload()).ok).to.equal(true);

    const first = await runCli(['redecode', '--config', gw.file, '--source', 'mta']);
    expect(first.stderr).to.equal('');
    expect(first.code).to.equal(0);
    expect(first.stdout).to.match(new RegExp(`^${res.body.id} -> \\w{26} delivery-status, to crm$`, 'm'));
    expect(first.stdout).to.match(
      /redecoded 1 of 1 unrecognized event\(s\); 0 already redecoded earlier, 0 still undecodable/,
    );

    await crm.waitFor(() => crm.requests.length === 1, 'the redecoded status at the crm sink');
    const delivered = crm.bodies<GatewayEvent>()[0];
    expect(delivered.type).to.equal('delivery-status');
    expect(delivered.redecodedFrom).to.equal(res.body.id);
    expect(delivered.status?.name).to.equal('UNDELIVERED');
    expect(delivered.receivedAt).to.equal(alerts.bodies<GatewayEvent>()[0].receivedAt);

    const second = await runCli(['redecode', '--config', gw.file, '--json']);
    expect(second.code).to.equal(0);
    const report = JSON.parse(second.stdout);
    expect(report).to.deep.include({ examined: 1, already: 1, redecoded: [], stillUndecodable: [] });

    const viaApi = await api(gw, '/redecode', { method: 'POST', body: JSON.stringify({ since: '1h' }) });
    expect(viaApi.status).to.equal(200);
    expect(viaApi.body).to.deep.include({ examined: 1, already: 1, redecoded: [] });

    // The store is the proof that nothing more will be sent: one delivery to crm, ever.
    const deliveries = await gw.service.store.listDeliveries({ filter: { destination: 'crm' }, limit: 10 });
    expect(deliveries.items).to.have.length(1);
    expect(deliveries.items[0].state).to.equal('delivered');
  });

  it('redecode reports a body that still does not decode and sends nothing', async () => {
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), messageId: 'not-a-number' });
    const res = await post(gw, body, signed(body));
    const run = await api(gw, '/redecode', { method: 'POST', body: '{}' });
    expect(run.body.stillUndecodable).to.deep.equal([
      { id: res.body.id, problem: 'messageId: expected a whole number, got the string "not-a-number"' },
    ]);
    expect(
      (await gw.service.store.listDeliveries({ filter: { destination: 'crm' }, limit: 10 })).items,
    ).to.have.length(0);
  });

  it('the admin API names a bad redecode argument', async () => {
    const run = await api(gw, '/redecode', { method: 'POST', body: JSON.stringify({ source: 'nope' }) });
    expect(run.status).to.equal(400);
    expect(run.body.details).to.deep.equal([{ path: 'source', message: 'no source "nope" in the config' }]);
  });
});

describe('onUndecodable: reject keeps the 400 answer', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startService('', { secret: SECRET, onUndecodable: 'reject' });
  });
  after(() => gw.stop());

  it('answers 400 naming the field, keeps the body in the rejected log, and stores no event', async () => {
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), status: { code: 4 } });
    const res = await post(gw, body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.details).to.deep.equal([
      { path: 'status', message: 'expected a status code (1-14) or name, got an object' },
    ]);
    expect((await gw.service.store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(0);
    expect((await gw.service.store.listRejected({ limit: 10 })).items.map((r) => r.body)).to.deep.equal([
      body,
    ]);
  });
});

describe('onUndecodable: reject keeps the bytes of a body that is not UTF-8', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`, {
      secret: SECRET,
      onUndecodable: 'reject',
    });
  });
  after(() => gw.stop());

  it('keeps the signed bytes exactly, and resubmits those bytes, not a text with U+FFFD in their place', async () => {
    // "café" in ISO-8859-1, then a NUL byte: neither survives a UTF-8 text column.
    const body = Buffer.concat([
      Buffer.from('{"type":"message-reply","fromNumber":"+13125550143","message":"caf'),
      Buffer.from([0xe9, 0x00]),
      Buffer.from('"}'),
    ]);
    const res = await post(gw, body, signed(body));
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('body is not valid UTF-8');
    const [kept] = (await gw.service.store.listRejected({ limit: 10 })).items;
    expect(Buffer.from(kept.rawBody ?? '', 'base64').equals(body)).to.equal(true);

    const again = await api(gw, `/rejected/${kept.id}/resubmit`, { method: 'POST' });
    expect(again.status).to.equal(422);
    expect(again.body.error).to.equal('still does not decode: body is not valid UTF-8');
    expect((await gw.service.store.listEvents({ filter: {}, limit: 10 })).items).to.have.length(0);
  });
});

describe('resubmitting a rejected payload', () => {
  let gw: Gateway;
  beforeEach(async () => {
    gw = await startService(`admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }`, {
      secret: SECRET,
      onUndecodable: 'reject',
    });
  });
  afterEach(() => gw.stop());

  const rejectOne = async () => {
    const body = JSON.stringify({ ...fixture(3, 'delivery-status'), messageId: 'n/a' });
    expect((await post(gw, body, signed(body))).status).to.equal(400);
    const [kept] = (await gw.service.store.listRejected({ limit: 10 })).items;
    return kept;
  };

  it('leaves the rejected log as it was when the payload still does not decode: one record, first seen when it came', async () => {
    const kept = await rejectOne();
    for (let i = 0; i < 3; i++) {
      const again = await api(gw, `/rejected/${kept.id}/resubmit`, { method: 'POST' });
      expect(again.status).to.equal(422);
      expect(again.body.error).to.match(/^still does not decode: /);
    }
    const log = (await gw.service.store.listRejected({ limit: 10 })).items;
    expect(log.map((r) => [r.id, r.receivedAt])).to.deep.equal([[kept.id, kept.receivedAt]]);
  });

  it('says the source is no longer in the config (409), not that the payload does not decode, and keeps it', async () => {
    const kept = await rejectOne();
    writeFileSync(gw.file, readFileSync(gw.file, 'utf8').replace('  mta: { kind: mta', '  sms: { kind: mta'));
    expect((await gw.service.reload()).ok).to.equal(true);
    const again = await api(gw, `/rejected/${kept.id}/resubmit`, { method: 'POST' });
    expect(again.status).to.equal(409);
    expect(again.body.error).to.equal(
      `rejected payload ${kept.id} came from source "mta", which is not in the config in force: add the source back (and reload) to resubmit it`,
    );
    expect((await gw.service.store.listRejected({ limit: 10 })).items.map((r) => r.id)).to.deep.equal([
      kept.id,
    ]);
  });
});
