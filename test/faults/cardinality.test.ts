import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { GatewayProcess } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const REQUESTS = 20_000;
const CONCURRENCY = 32;

/** Resident memory of a process, in bytes (Linux /proc). */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

async function metricsText(gw: GatewayProcess): Promise<string> {
  return (await fetch(`${gw.adminUrl}/metrics`)).text();
}

/** Unauthenticated POSTs to `/webhooks/<random>` (and `/<random>/<random>`), as a scanner or attacker sends. */
async function strangers(gw: GatewayProcess, count: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const n = next++;
        const name = `${Math.random().toString(36).slice(2)}${n}`;
        const path = n % 2 === 0 ? `/webhooks/${name}` : `/webhooks/${name}/${name}-event`;
        const res = await fetch(gw.url + path, {
          method: 'POST',
          headers: { 'content-type': n % 3 === 0 ? `text/${name}` : 'application/json' },
          body: '{}',
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

describe('bounded cardinality: request input never becomes a metric label', function () {
  this.timeout(180_000);

  it('leaves /metrics and memory within a small constant after 20,000 requests to random unknown sources', async () => {
    const tmp = tempDir('cardinality');
    const gw = await GatewayProcess.start(
      tmp.write(
        'gw.yaml',
        `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, version: 3, secret: "a-secret-of-some-length" }
store: { driver: sqlite, path: ${tmp.dir}/sb.db }
plugins: { dirs: [${ROOT}/plugins] }
destinations:
  audit: { type: file, path: ${tmp.dir}/events.jsonl }
routes:
  - to: [audit]
`,
      ),
    );
    try {
      // Warm up (the first requests load code and grow the heap once), then measure.
      await strangers(gw, 1_000);
      const metricsBefore = (await metricsText(gw)).length;
      const rssBefore = rss(gw.child.pid!);
      const statuses = await strangers(gw, REQUESTS);
      expect([...statuses.keys()]).to.deep.equal([404]);
      const metrics = await metricsText(gw);
      const rssAfter = rss(gw.child.pid!);
      console.log(
        `      /metrics ${metricsBefore} -> ${metrics.length} bytes; RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(rssAfter / 2 ** 20).toFixed(1)} MB`,
      );
      expect(metrics.length - metricsBefore, '/metrics growth in bytes').to.be.below(2_048);
      expect(metrics).to.include(
        'switchboard_webhooks_rejected_total{source="unknown",reason="unknown_source"}',
      );
      expect(rssAfter - rssBefore, 'RSS growth in bytes').to.be.below(40 * 2 ** 20);
      // The log lines quote a bounded piece of the name only.
      const longest = Math.max(...gw.raw.slice(-500).map((l) => l.length));
      expect(longest).to.be.below(1_000);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });
});
