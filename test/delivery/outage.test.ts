import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';
import { postSigned } from '../helpers/webhooks.ts';

const SECRET = 'outage-test-secret-0123456789';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));
const MINUTE = 60_000;

describe('a 10-minute outage with the default retry settings (fake clock)', function () {
  this.timeout(120_000);
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('dead-letters nothing: every delivery arrives once the destination is back', async () => {
    let now = Date.parse('2026-11-30T12:00:00Z');
    const start = now;
    const sink = await Sink.start();
    cleanups.push(() => sink.stop());
    sink.reply = () => (now - start >= 10 * MINUTE ? { status: 200 } : { status: 503 });
    const gw = await startService(
      `destinations:
  crm: { type: http, url: "${sink.url}/hook" }
routes:
  - name: all
    to: [crm]`,
      { secret: SECRET, clock: { now: () => now }, pollMs: 20 },
    );
    cleanups.push(() => gw.stop());
    for (let i = 0; i < 5; i++) {
      const res = await postSigned(gw.url, SECRET, { ...base, messageId: 4_000_000 + i });
      expect(res.status).to.equal(200);
    }
    const store = gw.service.store;
    // Moves the fake clock to the next retry whenever every delivery is waiting for one.
    for (let step = 0; step < 500; step++) {
      const items = (await store.listDeliveries({ filter: {}, limit: 10 })).items;
      expect(items.filter((d) => d.state === 'dead' || d.state === 'failed')).to.deep.equal([]);
      if (items.length === 5 && items.every((d) => d.state === 'delivered')) break;
      const waiting = items.filter(
        (d) => d.state === 'pending' && d.nextAt !== null && Date.parse(d.nextAt) > now,
      );
      if (items.length === 5 && waiting.length === items.filter((d) => d.state !== 'delivered').length) {
        now = Math.min(...waiting.map((d) => Date.parse(d.nextAt!)));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const items = (await store.listDeliveries({ filter: {}, limit: 10 })).items;
    expect(items.map((d) => d.state)).to.deep.equal(Array(5).fill('delivered'));
    expect(now - start).to.be.at.least(10 * MINUTE);
    // Ten minutes take about ten attempts with the default backoff: more than the old limit allowed in total.
    expect(Math.max(...items.map((d) => d.attempts))).to.be.at.least(8);
    expect(sink.requests.filter((r) => r.answeredAt > 0).length).to.be.greaterThan(5 * 7);
  });
});
