import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'ops-test-secret-0123456789abcdef';
const TOKEN = 'admin-token-9f8e7d6c5b4a39281706';
const fixture = (v: number, name: string) =>
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta', `v${v}`, `${name}.json`), 'utf8'));

/** Reads one sample's value from Prometheus text, or 0 when absent. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('operating the gateway: metrics and admin API', function () {
  this.timeout(30_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let good: Sink;
  let broken: Sink;

  before(async () => {
    good = await Sink.start();
    broken = await Sink.start();
    broken.reply = () => ({ status: 400, body: '{"error":"nope"}' });
    gw = await startService(
      `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }
delivery: { attempts: 2, backoff: { initial: 20ms, max: 50ms } }
destinations:
  good: { type: http, url: "${good.url}" }
  broken: { type: http, url: "${broken.url}" }
routes:
  - name: failures
    match: { type: delivery-status }
    to: [broken]
  - name: replies
    match: { type: message-reply }
    to: [good]`,
      // Undecodable bodies answered 400 and kept in the rejected log, which this suite lists and re-submits.
      { secret: SECRET, env: { ADMIN_TOKEN: TOKEN }, onUndecodable: 'reject' },
    );
  });
  after(async () => {
    await gw.stop();
    await good.stop();
    await broken.stop();
  });

  const post = (body: unknown, sig = true) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return fetch(`${gw.url}/webhooks/mta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(sig ? { 'x-signature': sign(SECRET, text) } : {}) },
      body: text,
    });
  };
  const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${gw.adminUrl}/api${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    });

  it('counts good, bad, duplicate, unrouted and failing traffic in /metrics', async () => {
    const reply = fixture(3, 'message-reply');
    expect((await post(reply)).status).to.equal(200);
    expect((await post(reply)).status).to.equal(200); // duplicate
    expect((await post({ ...reply, replyId: 2 }, false)).status).to.equal(401);
    expect((await post('{bad json')).status).to.equal(400);
    expect((await post({ ...reply, messageId: 'x' })).status).to.equal(400);
    expect((await post(fixture(3, 'number-opt-in'))).status).to.equal(200); // matches no route
    expect((await post(fixture(3, 'delivery-status'))).status).to.equal(200); // goes to the broken destination
    await good.waitFor(() => good.requests.length === 1, 'the reply delivered');
    await broken.waitFor(() => broken.requests.length === 1, 'the failing attempt');
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
      if (
        metric(text, 'switchboard_delivery_attempts_total', { destination: 'broken', outcome: 'failed' }) ===
        1
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(
      metric(text, 'switchboard_webhooks_received_total', { source: 'mta', type: 'message-reply' }),
    ).to.equal(1);
    expect(
      metric(text, 'switchboard_webhooks_received_total', { source: 'mta', type: 'number-opt-in' }),
    ).to.equal(1);
    expect(metric(text, 'switchboard_webhooks_rejected_total', { reason: 'duplicate' })).to.equal(1);
    expect(metric(text, 'switchboard_webhooks_rejected_total', { reason: 'signature' })).to.equal(1);
    expect(metric(text, 'switchboard_webhooks_rejected_total', { reason: 'json' })).to.equal(1);
    expect(metric(text, 'switchboard_webhooks_rejected_total', { reason: 'decode' })).to.equal(1);
    expect(metric(text, 'switchboard_events_unrouted_total', { source: 'mta' })).to.equal(1);
    expect(
      metric(text, 'switchboard_delivery_attempts_total', { destination: 'good', outcome: 'delivered' }),
    ).to.equal(1);
    expect(
      metric(text, 'switchboard_delivery_attempts_total', {
        destination: 'broken',
        outcome: 'failed',
        reason: 'client_error',
      }),
    ).to.equal(1);
  });

  it('holds deliveries of a paused destination, shows them in queue depth, and sends them on resume', async () => {
    expect((await api('/destinations/good/pause', { method: 'POST' })).status).to.equal(200);
    const before = good.requests.length;
    expect((await post({ ...fixture(3, 'message-reply'), replyId: 31337 })).status).to.equal(200);
    const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metric(text, 'switchboard_queue_depth', { destination: 'good', state: 'pending' })).to.equal(1);
    expect(
      metric(text, 'switchboard_queue_oldest_pending_age_seconds', { destination: 'good' }),
    ).to.be.at.least(0);
    expect(good.requests.length).to.equal(before);
    expect((await api('/destinations/good/resume', { method: 'POST' })).status).to.equal(200);
    await good.waitFor(() => good.requests.length === before + 1, 'the held delivery after resume');
  });

  it('refuses the admin API without a token or with a wrong one', async () => {
    expect((await api('/events', {}, null)).status).to.equal(401);
    expect((await api('/events', {}, 'wrong-token')).status).to.equal(401);
    expect((await api('/events', {}, `${TOKEN}x`)).status).to.equal(401);
    expect((await api('/events')).status).to.equal(200);
  });

  it('pages through events with a cursor', async () => {
    for (let i = 0; i < 5; i++) await post({ ...fixture(3, 'message-send'), messageId: 9000 + i });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(`/events?limit=2&type=message-send${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { items: Array<{ id: string }>; next: string | null };
      expect(page.items.length).to.be.at.most(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).to.have.length(5);
    expect(new Set(seen).size).to.equal(5);
    expect([...seen].sort().reverse()).to.deep.equal(seen); // newest first
  });

  it('shows one event with its route decisions, deliveries and every attempt', async () => {
    const failed = (await (await api('/deliveries?state=failed')).json()) as {
      items: Array<{ eventId: string }>;
    };
    const res = await api(`/events/${failed.items[0].eventId}`);
    const detail = (await res.json()) as {
      event: { type: string };
      routes: Array<{ name: string; matched: boolean }>;
      deliveries: Array<{ attemptLog: unknown[] }>;
    };
    expect(detail.event.type).to.equal('delivery-status');
    expect(detail.routes[0]).to.include({ name: 'failures', matched: true });
    expect(detail.deliveries[0].attemptLog).to.have.length(1);
  });

  it('retries a failed delivery through the API and it is delivered once the destination is healthy', async () => {
    broken.reply = () => ({ status: 200 });
    const failed = (await (await api('/deliveries?state=failed&destination=broken')).json()) as {
      items: Array<{ id: string }>;
    };
    const before = broken.requests.length;
    const res = await api(`/deliveries/${failed.items[0].id}/retry`, { method: 'POST' });
    expect(res.status).to.equal(200);
    await broken.waitFor(() => broken.requests.length === before + 1, 'the retried delivery');
    const bad = await api('/deliveries?state=bogus');
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/state/);
  });

  it('lists rejected payloads and re-submits one', async () => {
    const body = { ...fixture(3, 'message-reply'), replyId: 77, message: ['not text'] };
    expect((await post(body)).status).to.equal(400);
    const list = (await (await api('/rejected')).json()) as {
      items: Array<{ id: string; errors: Array<{ path: string }> }>;
    };
    const item = list.items.find((r) => r.errors.some((e) => e.path === 'message'));
    expect(item).to.not.equal(undefined);
    const again = await api(`/rejected/${item!.id}/resubmit`, { method: 'POST' });
    expect(again.status).to.equal(422); // the codec has not changed, so it still does not decode
  });

  it('never shows the token or secrets in API answers or logs', async () => {
    const answers = [
      await (await api('/events?limit=50')).text(),
      await (await api('/deliveries?limit=50')).text(),
      await (await api('/rejected')).text(),
    ];
    for (const text of [...answers, ...gw.capture.lines]) {
      expect(text).to.not.include(TOKEN);
      expect(text).to.not.include(SECRET);
    }
  });
});
