import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-standin.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'throttle-test-secret-0123456789';
const TOKEN = 'xoxb-1111-2222-thr0ttl3T0k3n';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

async function post(url: string, n: number): Promise<string> {
  const text = JSON.stringify({ ...base, messageId: 2_000_000 + n });
  const res = await fetch(`${url}/webhooks/mta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
    body: text,
  });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { id: string }).id;
}

/** Polls `check` until it holds; the limit only bounds a broken run. */
async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 100_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('throttling against a Slack that allows one message a second', function () {
  this.timeout(120_000);
  let slack: SlackStandIn;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    slack = await startSlackStandIn({ perSecond: 1 });
    cleanups.push(() => slack.close());
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('delivers a burst of 30 events with the default settings, with only a handful of 429s after the first', async () => {
    const gw = await startService(
      `destinations:
  ops-slack: { type: slack, token: "${TOKEN}", channel: "#sms-ops", apiUrl: "${slack.url}/api/" }
routes:
  - name: all
    to: [ops-slack]`,
      { secret: SECRET },
    );
    cleanups.push(() => gw.stop());
    for (let i = 0; i < 30; i++) await post(gw.url, i);
    const store = gw.service.store;
    const delivered = async () =>
      (await store.listDeliveries({ filter: { state: 'delivered' }, limit: 100 })).items.length === 30;
    await waitUntil(delivered, 'all 30 deliveries delivered');

    const all = (await store.listDeliveries({ filter: {}, limit: 100 })).items;
    expect(all.map((d) => d.state)).to.deep.equal(Array(30).fill('delivered'));
    // A throttled try is recorded but costs no attempt: each delivery took exactly one real attempt.
    expect(all.map((d) => d.attempts)).to.deep.equal(Array(30).fill(1));
    expect(slack.calls.filter((c) => c.answered === 200)).to.have.length(30);
    // The first 429 may meet up to `concurrency` sends already in flight; after that, only a handful.
    const first = slack.limitedAt[0] ?? Number.POSITIVE_INFINITY;
    const later = slack.limitedAt.filter((t) => t > first + 500);
    expect(later.length, `429s after the first round: ${later.length}`).to.be.at.most(5);
    expect(slack.rateLimited).to.be.at.most(4 + 5);
    // The whole destination paused, logged once per pause rather than once per delivery.
    const pauses = gw.capture.lines.filter((l) => l.includes('destination asked to slow down'));
    expect(pauses.length).to.be.within(1, 6);
    expect(gw.capture.lines.join('\n')).not.to.contain(TOKEN);
  });

  it('delivers a burst through an incoming webhook too, whose 429 carries retry_after in the body (Alertmanager #2111)', async () => {
    const gw = await startService(
      `destinations:
  ops-hook: { type: slack, webhookUrl: "${slack.url}/services/T0/B0/hookS3cr3t" }
routes:
  - name: all
    to: [ops-hook]`,
      { secret: SECRET },
    );
    cleanups.push(() => gw.stop());
    for (let i = 100; i < 108; i++) await post(gw.url, i);
    const store = gw.service.store;
    await waitUntil(
      async () =>
        (await store.listDeliveries({ filter: { state: 'delivered' }, limit: 100 })).items.length === 8,
      'all 8 deliveries delivered',
    );
    const all = (await store.listDeliveries({ filter: {}, limit: 100 })).items;
    expect(all.map((d) => d.attempts)).to.deep.equal(Array(8).fill(1));
    expect(slack.rateLimited).to.be.at.most(4 + 3);
    expect(gw.capture.lines.join('\n')).not.to.contain('hookS3cr3t');
  });
});

describe('a receiver that throttles every call', function () {
  this.timeout(60_000);

  it('ends the delivery as dead once retryFor has run out, and its fallback runs (found by an attack: pending for ever)', async () => {
    const { createServer } = await import('node:http');
    let calls = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      calls++;
      res.writeHead(429, { 'retry-after': '1' }).end('slow down');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const gw = await startService(
      `destinations:
  quota: { type: http, url: "http://127.0.0.1:${port}/hook", delivery: { retryFor: 3s }, fallback: spill }
  spill: { type: file, path: "\${SPILL}" }
routes:
  - name: all
    to: [quota]`,
      { secret: SECRET, env: { SPILL: `${process.env.TMPDIR ?? '/tmp'}/spill-${process.pid}.jsonl` } },
    );
    try {
      const id = await post(gw.url, 1);
      const store = gw.service.store;
      const dead = async () =>
        (await store.listDeliveries({ filter: { state: 'dead', destination: 'quota' }, limit: 10 })).items;
      await waitUntil(async () => (await dead()).length === 1, 'the throttled delivery to go dead', 30_000);
      const [delivery] = await dead();
      expect(delivery.eventId).to.equal(id);
      // Throttled tries cost no attempt; the one that found retryFor spent is recorded, as dead.
      expect(delivery.attempts).to.equal(1);
      expect(calls).to.be.at.least(2);
      // Shown apart from failures (switchboard destinations: "0/1, N throttled").
      const [quota] = (await store.destinationActivity({ since: new Date(0), now: new Date() })).filter(
        (a) => a.destination === 'quota',
      );
      expect(quota.failed).to.equal(1);
      expect(quota.throttled).to.equal(calls - 1);
      const spilled = async () =>
        (await store.listDeliveries({ filter: { destination: 'spill', state: 'delivered' }, limit: 10 }))
          .items;
      await waitUntil(async () => (await spilled()).length === 1, 'the fallback delivery', 30_000);
    } finally {
      await gw.stop();
      receiver.close();
    }
  });
});

describe('what the operator sees of a throttled destination and of dead letters', function () {
  this.timeout(60_000);

  it('shows "throttled" until the Retry-After ends, and counts dead deliveries, in the API and the CLI (found by an on-call attack: "active")', async () => {
    const { createServer } = await import('node:http');
    const receiver = createServer((req, res) => {
      req.resume();
      if (req.url === '/quota') res.writeHead(429, { 'retry-after': '120' }).end('slow down');
      else res.writeHead(503).end('down');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const admin = 'throttle-view-admin-token-0123456789';
    const gw = await startService(
      `admin: { token: "${admin}", listen: "127.0.0.1:0" }
destinations:
  quota: { type: http, url: "http://127.0.0.1:${port}/quota" }
  broken: { type: http, url: "http://127.0.0.1:${port}/broken", delivery: { retryFor: 1s } }
routes:
  - name: all
    to: [quota, broken]`,
      { secret: SECRET },
    );
    try {
      const sentAt = Date.now();
      await post(gw.url, 1);
      await post(gw.url, 2);
      const store = gw.service.store;
      await waitUntil(
        async () =>
          (await store.listDeliveries({ filter: { state: 'dead', destination: 'broken' }, limit: 10 })).items
            .length === 2,
        'both deliveries to the broken receiver to go dead',
        30_000,
      );
      type Row = { name: string; state: string; dead: number; throttle?: { throttledUntil?: string } };
      const res = await fetch(`${gw.adminUrl}/api/destinations`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const rows = ((await res.json()) as { destinations: Row[] }).destinations;
      const quota = rows.find((r) => r.name === 'quota');
      const broken = rows.find((r) => r.name === 'broken');
      expect(quota?.state).to.equal('throttled');
      expect(Date.parse(String(quota?.throttle?.throttledUntil))).to.be.greaterThan(sentAt + 60_000);
      expect([broken?.state, broken?.dead, quota?.dead]).to.deep.equal(['active', 2, 0]);
      const { runCli } = await import('../helpers/gateway.ts');
      const cli = await runCli(['destinations', '--url', gw.adminUrl], {
        env: { SWITCHBOARD_ADMIN_TOKEN: admin },
      });
      expect(cli.code, cli.stderr).to.equal(0);
      const [header, ...lines] = cli.stdout.split('\n');
      expect(header).to.match(/ DEAD /);
      expect(lines.find((l) => l.startsWith('quota'))).to.match(/ throttled until \d{4}-/);
      const deadColumn = header.indexOf('DEAD');
      expect(
        lines
          .find((l) => l.startsWith('broken'))
          ?.slice(deadColumn, deadColumn + 4)
          .trim(),
      ).to.equal('2');
    } finally {
      await gw.stop();
      receiver.close();
    }
  });
});

describe('a throttled destination that a reload removes and a later one adds back', function () {
  this.timeout(60_000);

  it("still honours its receiver's Retry-After (a fresh worker sent at once; found by an attack)", async () => {
    const { createServer } = await import('node:http');
    const { writeFileSync } = await import('node:fs');
    const { testConfig } = await import('../helpers/service.ts');
    const receiver = createServer((req, res) => {
      req.resume();
      res.writeHead(429, { 'retry-after': '600' }).end('slow down');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const admin = 'throttle-readd-admin-token-0123456789';
    const yaml = (withQuota: boolean) => `admin: { token: "${admin}", listen: "127.0.0.1:0" }
destinations:
  audit: { type: file, path: "\${SPILL}" }
${withQuota ? `  quota: { type: http, url: "http://127.0.0.1:${port}/hook" }` : ''}
routes:
  - name: all
    to: [${withQuota ? 'quota' : 'audit'}]`;
    const env = { SPILL: `${process.env.TMPDIR ?? '/tmp'}/readd-${process.pid}.jsonl` };
    const gw = await startService(yaml(true), { secret: SECRET, env });
    const state = async () => {
      const res = await fetch(`${gw.adminUrl}/api/destinations`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const rows = ((await res.json()) as { destinations: Array<{ name: string; state: string }> })
        .destinations;
      return rows.find((r) => r.name === 'quota')?.state;
    };
    try {
      await post(gw.url, 1);
      await waitUntil(async () => (await state()) === 'throttled', 'the receiver to throttle', 30_000);
      writeFileSync(gw.file, testConfig(gw.tmp.dir, yaml(false), { secret: SECRET }));
      expect((await gw.service.reload()).ok).to.equal(true);
      expect(await state()).to.equal('removed');
      writeFileSync(gw.file, testConfig(gw.tmp.dir, yaml(true), { secret: SECRET }));
      expect((await gw.service.reload()).ok).to.equal(true);
      expect(await state()).to.equal('throttled');
    } finally {
      await gw.stop();
      receiver.close();
    }
  });
});
