import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { DestinationStates } from '../../src/admin/destinations.ts';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'operator-api-secret-0123456789';
const TOKEN = 'operator-admin-token-5f4e3d2c1b0a';
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

describe('the operator API on the admin listener (in-process gateway, real HTTP)', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let down: Sink;
  let up: Sink;

  before(async () => {
    down = await Sink.start();
    down.reply = () => ({ status: 503, body: 'maintenance' });
    up = await Sink.start();
    gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
delivery: { attempts: 50, backoff: { initial: 10ms, max: 20ms } }
destinations:
  down: { type: http, url: "${down.url}", circuitBreaker: { failures: 2, cooldown: 1h } }
  up: { type: http, url: "${up.url}" }
routes:
  - name: main
    to: [down, up]`,
      { secret: SECRET, env: { ADMIN_TOKEN: TOKEN } },
    );
  });
  after(async () => {
    await gw.stop();
    await down.stop();
    await up.stop();
  });

  const post = (n: number) => {
    const text = JSON.stringify({ ...fixture, replyId: 7000 + n });
    return fetch(`${gw.url}/webhooks/mta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
      body: text,
    });
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.adminUrl}/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
  const states = async () => (await (await api('/destinations')).json()) as DestinationStates;

  it('keeps only webhooks, /healthz and a status-only /readyz on the public port', async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).to.equal(404);
    expect(
      (await fetch(`${gw.url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).to.equal(404);
    expect(await (await fetch(`${gw.url}/healthz`)).json()).to.deep.equal({ status: 'ok' });
    expect(await (await fetch(`${gw.url}/readyz`)).json()).to.deep.equal({ status: 'ready' });
    const details = (await (await fetch(`${gw.adminUrl}/readyz`)).json()) as {
      status: string;
      checks: Record<string, { ok: boolean; status: string }>;
    };
    expect(details.status).to.equal('ready');
    expect(details.checks.store).to.deep.equal({ ok: true, status: 'ok' });
    expect(details.checks.workers).to.deep.equal({ ok: true, status: 'running' });
    expect((await fetch(`${gw.adminUrl}/metrics`)).status).to.equal(200);
  });

  it('shows a destination whose breaker opened, with the queue, the last hour and the last error', async () => {
    expect((await post(1)).status).to.equal(200);
    await down.waitFor(() => down.requests.length >= 2, 'two failures at the down destination');
    await up.waitFor(() => up.requests.length >= 1, 'the healthy destination');
    let answer = await states();
    // The breaker opens as the second attempt ends, a moment before that attempt is recorded in the store.
    const settled = (a: DestinationStates) =>
      a.destinations[0].state === 'breaker-open' && a.destinations[0].pending === 1;
    for (let i = 0; i < 200 && !settled(answer); i++) {
      await new Promise((r) => setTimeout(r, 50));
      answer = await states();
    }
    const [d, u] = answer.destinations;
    expect(d).to.include({ name: 'down', type: 'http', state: 'breaker-open', pending: 1, inFlight: 0 });
    expect(d.breaker?.state).to.equal('open');
    expect(Date.parse(d.breaker?.openUntil ?? '')).to.be.greaterThan(Date.now());
    expect(d.failed1h).to.equal(2);
    expect(d.lastError?.reason).to.match(/503/);
    expect(d.oldestPendingAt).to.be.a('string');
    expect(u).to.include({ name: 'up', state: 'active', pending: 0, delivered1h: 1, failed1h: 0 });
    expect(u).to.not.have.property('lastError');
  });

  it('the CLI with --url shows the same, breakers included, and needs the token', async () => {
    const r = await runCli(['destinations', '--url', gw.adminUrl], {
      env: { SWITCHBOARD_ADMIN_TOKEN: TOKEN },
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/down\s+http\s+breaker open until/);
    const bad = await runCli(['deliveries', '--url', gw.adminUrl, '--state', 'UNDELIVERD'], {
      env: { SWITCHBOARD_ADMIN_TOKEN: TOKEN },
    });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/did you mean delivered\?/);
    const noToken = await runCli(['destinations', '--url', gw.adminUrl]);
    expect(noToken.code).to.equal(2);
    expect(noToken.stderr).to.match(/SWITCHBOARD_ADMIN_TOKEN/);
  });

  it('pauses with who, why and until when through the API, and shows it', async () => {
    const res = await api('/destinations/up/pause', {
      method: 'POST',
      body: JSON.stringify({ comment: 'CRM migration', for: '2h', by: 'ana' }),
    });
    expect(res.status).to.equal(200);
    const up = (await states()).destinations.find((x) => x.name === 'up');
    expect(up?.state).to.equal('paused');
    expect(up?.pause).to.include({ by: 'ana', comment: 'CRM migration' });
    expect(Date.parse(up?.pause?.expiresAt ?? '') - Date.now()).to.be.within(3_500_000, 7_200_000);
    const typo = await api('/destinations/up/pause', { method: 'POST', body: JSON.stringify({ fro: '2h' }) });
    expect(typo.status).to.equal(400);
    expect(((await typo.json()) as { error: string }).error).to.match(/did you mean for\?/);
    expect((await api('/destinations/up/resume', { method: 'POST' })).status).to.equal(200);
    expect((await states()).destinations.find((x) => x.name === 'up')?.state).to.equal('active');
  });

  it('pauses and resumes through the CLI with --url, and refuses an unknown name with exit 2', async () => {
    const env = { SWITCHBOARD_ADMIN_TOKEN: TOKEN };
    const paused = await runCli(
      ['pause', 'up', '--url', gw.adminUrl, '--for', '1h', '--comment', 'via url'],
      { env },
    );
    expect(paused.code, paused.stderr).to.equal(0);
    expect(paused.stdout).to.match(/paused destination up: .*lifts by itself/);
    expect((await states()).destinations.find((x) => x.name === 'up')?.pause?.comment).to.equal('via url');
    expect((await runCli(['resume', 'up', '--url', gw.adminUrl], { env })).stdout).to.match(
      /resumed destination up/,
    );
    expect((await states()).destinations.find((x) => x.name === 'up')?.state).to.equal('active');
    expect((await runCli(['resume', 'up', '--url', gw.adminUrl], { env })).stdout).to.match(
      /^destination up was not paused; nothing to resume/,
    );
    const unknown = await runCli(['pause', 'nope', '--url', gw.adminUrl], { env });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/no destination or route named "nope"/);
  });

  it('shows one delivery with its attempt log, and 404 for an unknown id', async () => {
    const list = (await (await api('/deliveries?destination=down')).json()) as {
      items: Array<{ id: string }>;
    };
    const res = await api(`/deliveries/${list.items[0].id}`);
    expect(res.status).to.equal(200);
    const d = (await res.json()) as {
      destination: string;
      attemptLog: Array<{ number: number; outcome: string }>;
    };
    expect(d.destination).to.equal('down');
    expect(d.attemptLog.map((a) => [a.number, a.outcome]).slice(0, 2)).to.deep.equal([
      [1, 'retry'],
      [2, 'retry'],
    ]);
    expect((await api('/deliveries/nope')).status).to.equal(404);
  });

  it('answers 400 with the nearest name for a filter outside the config vocabulary', async () => {
    const cases: Array<[string, RequestInit | undefined, RegExp]> = [
      ['/events?status=UNDELIVERD', undefined, /did you mean UNDELIVERED\?/],
      ['/events?type=delivery-stats', undefined, /did you mean delivery-status\?/],
      ['/deliveries?state=dead,faild', undefined, /did you mean failed\?/],
      ['/deliveries?destination=dwn', undefined, /did you mean down\?/],
      ['/deliveries/retry', { method: 'POST', body: '{"state":"delivered"}' }, /includeDelivered/],
      ['/deliveries/retry', { method: 'POST', body: '{"stat":"failed"}' }, /did you mean state\?/],
    ];
    for (const [path, init, message] of cases) {
      const res = await api(path, init);
      expect(res.status, path).to.equal(400);
      expect(((await res.json()) as { error: string }).error, path).to.match(message);
    }
  });
});
