import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'delivery-test-secret-0123456789';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

/** A distinct signed body per n, so dedupe never merges them. */
function body(n: number): string {
  return JSON.stringify({ ...base, messageId: 1_000_000 + n });
}

async function post(
  url: string,
  text: string,
  source = 'mta',
): Promise<{ status: number; json: { id: string; duplicate: boolean } }> {
  const res = await fetch(`${url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as { id: string; duplicate: boolean } };
}

function destinations(sinks: Record<string, Sink>, extra = ''): string {
  const lines = Object.entries(sinks).map(
    ([name, s]) => `  ${name}: { type: http, url: "${s.url}/${name}" ${extra} }`,
  );
  return `delivery:
  attempts: 4
  backoff: { initial: 50ms, max: 3s, multiplier: 2, jitter: false }
  timeout: 1s
destinations:
${lines.join('\n')}
routes:
  - name: all
    to: [${Object.keys(sinks).join(', ')}]`;
}

describe('durable delivery', function () {
  this.timeout(60_000);
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('delivers every event after an outage (503, then connection refused), with every attempt recorded', async () => {
    const sink = await Sink.start();
    let healthy = false;
    sink.reply = () => (healthy ? { status: 200 } : { status: 503 });
    const gw = await startService(destinations({ crm: sink }).replace('attempts: 4', 'attempts: 20'), {
      secret: SECRET,
    });
    cleanups.push(() => gw.stop());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(gw.url, body(i))).json.id);
    const store = gw.service.store;
    const allTried = async () =>
      (await store.listDeliveries({ filter: {}, limit: 100 })).items.every((d) => d.attempts >= 1);
    await waitUntil(allTried, 'a recorded 503 attempt for each delivery');
    // Now refuse connections altogether until an attempt has failed on the closed port, then come back.
    const port = sink.port;
    await sink.stop();
    const networkFailure = async () => {
      for (const id of ids) {
        const log = (await store.getEvent({ id }))!.deliveries[0].attemptLog;
        if (log.some((a) => a.outcome === 'retry' && a.statusCode == null)) return true;
      }
      return false;
    };
    await waitUntil(networkFailure, 'an attempt refused by the closed port');
    healthy = true;
    await sink.listen(port);
    cleanups.push(() => sink.stop());
    await waitUntil(
      async () =>
        (await store.listDeliveries({ filter: { state: 'delivered' }, limit: 100 })).items.length === 5,
      'five delivered',
    );
    for (const id of ids) {
      const detail = await store.getEvent({ id });
      const attempts = detail!.deliveries[0].attemptLog;
      expect(attempts.length, `attempts of ${id}`).to.be.greaterThan(1);
      expect(attempts.at(-1)!.outcome).to.equal('delivered');
      expect(attempts[0], JSON.stringify(attempts[0])).to.include({ outcome: 'retry', statusCode: 503 });
    }
  });

  it('waits at least the Retry-After before the next attempt', async () => {
    const sink = await Sink.start();
    cleanups.push(() => sink.stop());
    sink.reply = () =>
      sink.requests.length === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    const gw = await startService(destinations({ crm: sink }), { secret: SECRET });
    cleanups.push(() => gw.stop());
    await post(gw.url, body(1));
    await sink.waitFor(() => sink.requests.length >= 2, 'the retry');
    const gap = sink.requests[1].receivedAt - sink.requests[0].answeredAt;
    expect(gap).to.be.at.least(2000);
  });

  it('marks a 400 failed after one attempt, exhausts attempts into dead, and replays both', async () => {
    const sink = await Sink.start();
    cleanups.push(() => sink.stop());
    let mode: 'reject' | 'down' | 'up' = 'reject';
    sink.reply = () =>
      mode === 'reject'
        ? { status: 400, body: '{"error":"bad"}' }
        : mode === 'down'
          ? { status: 500 }
          : { status: 200 };
    const gw = await startService(destinations({ crm: sink }), { secret: SECRET });
    cleanups.push(() => gw.stop());
    const store = gw.service.store;

    const failedId = (await post(gw.url, body(10))).json.id;
    await waitUntil(
      async () => (await store.listDeliveries({ filter: { state: 'failed' }, limit: 10 })).items.length === 1,
      'a failed delivery',
    );
    const failed = (await store.getEvent({ id: failedId }))!.deliveries[0];
    expect(failed.state).to.equal('failed');
    expect(failed.attemptLog).to.have.length(1);
    expect(failed.attemptLog[0]).to.include({ outcome: 'failed', statusCode: 400 });

    mode = 'down';
    const deadId = (await post(gw.url, body(11))).json.id;
    await waitUntil(
      async () => (await store.listDeliveries({ filter: { state: 'dead' }, limit: 10 })).items.length === 1,
      'a dead delivery',
    );
    const dead = (await store.getEvent({ id: deadId }))!.deliveries[0];
    expect(dead.attemptLog.map((a) => a.outcome)).to.deep.equal(['retry', 'retry', 'retry', 'dead']);

    mode = 'up';
    const before = sink.requests.length;
    const replay = await runCli(['replay', '--dead', '--failed', '--config', gw.file]);
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stdout).to.match(/replayed 2 deliveries/);
    await sink.waitFor(
      () => sink.requests.slice(before).filter((r) => r.answeredAt).length >= 2,
      'both replayed deliveries',
    );
    await waitUntil(
      async () =>
        (await store.listDeliveries({ filter: { state: 'delivered' }, limit: 10 })).items.length === 2,
      'two delivered',
    );
  });

  it('delivers to the fallback destination when a delivery ends failed', async () => {
    const primary = await Sink.start();
    const backup = await Sink.start();
    cleanups.push(
      () => primary.stop(),
      () => backup.stop(),
    );
    primary.reply = () => ({ status: 404 });
    const gw = await startService(
      `destinations:
  primary: { type: http, url: "${primary.url}", fallback: [backup] }
  backup: { type: http, url: "${backup.url}" }
routes:
  - to: [primary]`,
      { secret: SECRET },
    );
    cleanups.push(() => gw.stop());
    const { id } = (await post(gw.url, body(42))).json;
    await backup.waitFor(() => backup.requests.length === 1, 'the fallback delivery');
    expect(JSON.parse(backup.requests[0].body).id).to.equal(id);
    const detail = await gw.service.store.getEvent({ id });
    expect(detail!.deliveries.map((d) => [d.destination, d.route])).to.deep.include.members([
      ['primary', 'route-0'],
      ['backup', 'fallback from primary'],
    ]);
  });

  it('sends one digest per group per interval instead of one request per event', async () => {
    const sink = await Sink.start();
    cleanups.push(() => sink.stop());
    const gw = await startService(
      `destinations:
  ops:
    type: http
    url: "${sink.url}/digest"
    group: { by: [type], wait: 400ms, interval: 1500ms }
routes:
  - to: [ops]`,
      { secret: SECRET },
    );
    cleanups.push(() => gw.stop());
    const reply = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await post(gw.url, body(300 + i))).json.id);
    for (let i = 0; i < 2; i++)
      ids.push((await post(gw.url, JSON.stringify({ ...reply, replyId: 900 + i }))).json.id);
    await sink.waitFor(() => sink.requests.length === 2, 'one digest per event type');
    const sizes = sink
      .bodies<{ events: Array<{ id: string; type: string }> }>()
      .map((b) => [b.events[0].type, b.events.length]);
    expect(sizes).to.have.deep.members([
      ['delivery-status', 4],
      ['message-reply', 2],
    ]);
    // A later event of a group already sent waits for that group's interval, then goes alone.
    ids.push((await post(gw.url, body(399))).json.id);
    await sink.waitFor(() => sink.requests.length === 3, 'the next digest of delivery statuses');
    const third = sink.bodies<{ events: Array<{ id: string }> }>()[2].events;
    expect(third.map((e) => e.id)).to.deep.equal([ids[6]]);
    const statusDigest = sink.requests.find((r) => r.body.includes('"delivery-status"'))!;
    expect(sink.requests[2].receivedAt - statusDigest.answeredAt).to.be.at.least(1000);
    const delivered = async () =>
      (await gw.service.store.listDeliveries({ filter: { state: 'delivered' }, limit: 20 })).items;
    await waitUntil(async () => (await delivered()).length === ids.length, 'every grouped delivery recorded');
    expect((await delivered()).map((d) => d.attempts)).to.deep.equal(ids.map(() => 1));
  });

  it('does not let a destination that hangs until its timeout delay another', async () => {
    const slow = await Sink.start();
    const fast = await Sink.start();
    cleanups.push(
      () => slow.stop(),
      () => fast.stop(),
    );
    slow.reply = () => 'hang';
    const gw = await startService(destinations({ slow, fast }).replace('timeout: 1s', 'timeout: 5s'), {
      secret: SECRET,
    });
    cleanups.push(() => gw.stop());
    for (let i = 0; i < 20; i++) await post(gw.url, body(100 + i));
    await fast.waitFor(() => fast.requests.length >= 20, 'all 20 at the fast destination');
    // Every fast delivery landed while the slow destination's first attempts were still hanging: none recorded yet.
    const slowAttempts = await gw.service.store.listDeliveries({
      filter: { destination: 'slow', state: ['failed', 'dead', 'delivered'] },
      limit: 100,
    });
    expect(slowAttempts.items).to.have.length(0);
    const slowPending = await gw.service.store.listDeliveries({
      filter: { destination: 'slow' },
      limit: 100,
    });
    expect(slowPending.items.every((d) => d.attempts === 0)).to.equal(true);
  });
});

describe('an attempt that times out', function () {
  this.timeout(30_000);

  it('names the server that did not answer (found by an attack: an SMTP server that never greets)', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}); // accepts, never says a word
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const gw = await startService(
      `delivery: { timeout: 500ms, attempts: 1 }
destinations:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${port}, secure: false }
    from: gw@example.com
    to: ops@example.com
routes:
  - to: [mail]`,
      { secret: SECRET },
    );
    try {
      const { json } = await post(gw.url, body(900));
      const store = gw.service.store;
      const attempts = async () => (await store.getEvent({ id: json.id }))!.deliveries[0].attemptLog;
      await waitUntil(async () => (await attempts()).length > 0, 'the attempt to time out');
      expect((await attempts())[0].reason).to.equal(
        `no answer from 127.0.0.1:${port} within the 500 ms attempt timeout`,
      );
    } finally {
      await gw.stop();
      silent.close();
    }
  });
});

describe('deduplication window', () => {
  it('treats a body seen within the window as a duplicate and one after it as new', async () => {
    let now = Date.parse('2026-11-28T12:00:00Z');
    const clock = { now: () => now };
    const gw = await startService(
      `destinations:
  audit: { type: file, path: /dev/null }
routes:
  - to: [audit]`,
      { secret: SECRET, clock, dedupeWindow: '1h' },
    );
    try {
      const text = body(500);
      const first = await post(gw.url, text);
      now += 30 * 60_000;
      const within = await post(gw.url, text);
      expect(within.json).to.deep.equal({ id: first.json.id, duplicate: true });
      now += 61 * 60_000;
      const after = await post(gw.url, text);
      expect(after.json.duplicate).to.equal(false);
      expect(after.json.id).to.not.equal(first.json.id);
      const deliveries = await gw.service.store.listDeliveries({
        filter: { destination: 'audit' },
        limit: 10,
      });
      expect(deliveries.items).to.have.length(2);
    } finally {
      await gw.stop();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
