import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { GatewayProcess } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const SECRET = 'crash-test-secret-0123456789';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

describe('crash safety (SIGKILL under load)', function () {
  this.timeout(120_000);

  it('delivers every acknowledged event at least once across repeated SIGKILLs', async () => {
    const sink = await Sink.start();
    const tmp = tempDir('crash');
    const config = tmp.write(
      'config.yaml',
      testConfig(
        tmp.dir,
        `delivery: { attempts: 50, backoff: { initial: 20ms, max: 500ms }, timeout: 2s, concurrency: 8 }
destinations:
  sink: { type: http, url: "${sink.url}/in" }
routes:
  - to: [sink]`,
        { secret: SECRET },
      ),
    );
    const acked = new Set<string>();
    let seq = 0;
    let sent = 0;
    try {
      for (let cycle = 0; cycle < 4; cycle++) {
        const gw = await GatewayProcess.start(config);
        const target = acked.size + 60;
        let stop = false;
        // Four concurrent senders; each keeps one request in flight until the kill.
        const senders = Array.from({ length: 4 }, async () => {
          while (!stop) {
            const text = JSON.stringify({ ...base, replyId: ++seq, message: `reply ${seq}` });
            sent++;
            try {
              const res = await fetch(`${gw.url}/webhooks/mta`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
                body: text,
              });
              if (res.status === 200) acked.add(((await res.json()) as { id: string }).id);
            } catch {
              // the process was killed mid-request: not acknowledged, so MTA would retry it
            }
            if (acked.size >= target && cycle < 3) {
              stop = true;
              gw.child.kill('SIGKILL');
            }
            if (cycle === 3 && acked.size >= target) stop = true;
          }
        });
        await Promise.all(senders);
        if (cycle === 3) {
          const received = () => new Set(sink.bodies<{ id: string }>().map((b) => b.id));
          await sink.waitFor(
            () => [...acked].every((id) => received().has(id)),
            `all ${acked.size} acknowledged events`,
            60_000,
          );
          await gw.stop();
        } else {
          await gw.signal('SIGKILL');
        }
      }
      const ids = sink.bodies<{ id: string }>().map((b) => b.id);
      const unique = new Set(ids);
      const lost = [...acked].filter((id) => !unique.has(id));
      expect(lost, 'acknowledged events never delivered').to.deep.equal([]);
      const duplicates = ids.length - unique.size;
      console.log(
        `      crash test: ${sent} sent, ${acked.size} acknowledged, ${unique.size} delivered, ${duplicates} duplicate deliveries, 3 SIGKILLs`,
      );
      // At-least-once: duplicates can only come from sends in flight at a kill (concurrency 8 per kill).
      expect(duplicates).to.be.at.most(3 * 8);
    } finally {
      await sink.stop();
      tmp.cleanup();
    }
  });
});
