import { expect } from 'chai';
import { Metrics } from '../../src/observability/metrics.ts';
import type { Store } from '../../src/store/types.ts';

/** A store whose queue statistics fail at once, or never answer (a table lock). */
function storeThat(queueStats: () => Promise<never>): Store {
  return { queueStats } as unknown as Store;
}

describe('/metrics during a store outage (found by an attack: 500 for the whole scrape)', function () {
  this.timeout(10_000);

  for (const [what, queueStats] of [
    ['is down', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))],
    ['hangs', () => new Promise<never>(() => {})],
  ] as const) {
    it(`still renders every other metric, the store rejections among them, when the store ${what}`, async () => {
      const metrics = new Metrics(() => storeThat(queueStats), Date.now);
      metrics.webhook('mta', 503, { reason: 'store' }, 0.01);
      const started = Date.now();
      const { body } = await metrics.render();
      expect(Date.now() - started, 'within the 2 s bound').to.be.below(5_000);
      expect(body).to.match(/switchboard_webhooks_rejected_total\{[^}]*reason="store"[^}]*\} 1/);
      expect(body).not.to.match(/^switchboard_queue_depth\{/m);
    });
  }
});
