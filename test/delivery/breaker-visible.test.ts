import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';

const SECRET = 'breaker-test-secret-0123456789';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

async function post(url: string, n: number): Promise<void> {
  const text = JSON.stringify({ ...base, messageId: 3_000_000 + n });
  const res = await fetch(`${url}/webhooks/mta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
    body: text,
  });
  expect(res.status).to.equal(200);
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a visible circuit breaker', function () {
  this.timeout(60_000);
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('logs, exports and shows in readiness when it opens, half-opens and closes', async () => {
    const sink = await Sink.start();
    cleanups.push(() => sink.stop());
    let healthy = false;
    sink.reply = () => (healthy ? { status: 200 } : { status: 503 });
    const gw = await startService(
      `delivery: { backoff: { initial: 50ms, max: 200ms, jitter: false } }
destinations:
  crm:
    type: http
    url: "${sink.url}/hook"
    circuitBreaker: { failures: 2, cooldown: 1s }
routes:
  - name: all
    to: [crm]`,
      { secret: SECRET },
    );
    cleanups.push(() => gw.stop());
    await post(gw.url, 1);
    await post(gw.url, 2);
    await waitUntil(() => gw.service.destinationControls().crm?.state === 'open', 'the breaker to open');

    const controls = gw.service.destinationControls().crm;
    expect(Date.parse(controls.openUntil!)).to.be.greaterThan(Date.now() - 1000);
    const ready = await gw.service.readiness();
    expect(ready.ready).to.equal(true);
    expect(ready.checks.destinations?.destinations)
      .to.have.property('crm')
      .that.deep.include({ state: 'open' });
    const metrics = (await gw.service.metrics.render()).body;
    expect(metrics).to.contain('switchboard_circuit_breaker_state{destination="crm",state="open"} 1');
    expect(metrics).to.contain(
      'switchboard_circuit_breaker_transitions_total{destination="crm",state="open"} 1',
    );
    expect(
      gw.capture.lines.some((l) => l.includes('"msg":"circuit breaker open: no sends to crm until')),
    ).to.equal(true);

    healthy = true;
    await waitUntil(() => gw.service.destinationControls().crm?.state === 'closed', 'the breaker to close');
    const lines = gw.capture.lines.filter((l) => l.includes('"breaker"'));
    expect(lines.map((l) => JSON.parse(l).breaker)).to.deep.equal(['open', 'half-open', 'closed']);
    expect((await gw.service.readiness()).checks.destinations).to.equal(undefined);
    const after = (await gw.service.metrics.render()).body;
    expect(after).to.contain('switchboard_circuit_breaker_state{destination="crm",state="closed"} 1');
  });
});
