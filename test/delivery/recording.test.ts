import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Store } from '../../src/store/types.ts';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT } from '../helpers/tmp.ts';
import { postSigned } from '../helpers/webhooks.ts';

const SECRET = 'recording-test-secret-0123456789';
const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8'));

describe('delivery: recording an outcome does not hold a send slot', function () {
  this.timeout(30_000);

  it('sends the next delivery while the last outcome is still being committed, at most one round of slots ahead', async () => {
    const sink = await Sink.start();
    const gw = await startService(
      `destinations:
  crm: { type: http, url: "${sink.url}/hook", delivery: { concurrency: 1 } }
routes:
  - name: all
    to: [crm]`,
      { secret: SECRET, pollMs: 20 },
    );
    let open = () => {};
    try {
      // Every completion waits until the test opens the gate: a store that is slow to commit.
      const store = gw.service.store as Store;
      const complete = store.complete.bind(store);
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let recorded = 0;
      store.complete = async (args) => {
        await gate;
        const held = await complete(args);
        recorded++;
        return held;
      };
      for (let i = 0; i < 3; i++) {
        const res = await postSigned(gw.url, SECRET, { ...base, messageId: 5_000_000 + i });
        expect(res.status).to.equal(200);
      }
      // concurrency 1: the second send starts while the first outcome waits for the store...
      await sink.waitFor(() => sink.requests.length >= 2, 'a second send');
      // ...but no third: outcomes waiting beyond one round of slots hold claims back (15 polls later).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sink.requests).to.have.length(2);
      expect(recorded).to.equal(0);
      open();
      await sink.waitFor(() => sink.requests.length >= 3, 'the third send');
      for (;;) {
        const items = (await store.listDeliveries({ filter: {}, limit: 10 })).items;
        if (items.length === 3 && items.every((d) => d.state === 'delivered')) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(sink.requests).to.have.length(3);
    } finally {
      open();
      await gw.stop();
      await sink.stop();
    }
  });

  it('puts a send still hanging at the stop deadline back in line, due as before, and says so in the log', async () => {
    const sink = await Sink.start();
    let arrived = false;
    sink.reply = () => {
      arrived = true;
      return 'hang';
    };
    const gw = await startService(
      `destinations:
  crm: { type: http, url: "${sink.url}/hook" }
routes:
  - name: all
    to: [crm]`,
      { secret: SECRET, pollMs: 20 },
    );
    let stopped = false;
    try {
      const res = await postSigned(gw.url, SECRET, { ...base, messageId: 5_100_000 });
      expect(res.status).to.equal(200);
      while (!arrived) await new Promise((resolve) => setTimeout(resolve, 20));
      const store = gw.service.store as Store;
      const [before] = (await store.listDeliveries({ filter: {}, limit: 1 })).items;
      expect(before.state).to.equal('sending');
      // The store closes with the service: read the row back through a second service on the same file.
      await gw.service.stop();
      stopped = true;
      const warned = gw.capture.lines.map((l) => JSON.parse(l)).find((l) => l.released !== undefined);
      expect(warned?.msg).to.contain('1 deliveries still sending at the deadline were put back in the queue');
      const { openSqliteStore } = await import('../../src/store/sqlite/open.ts');
      const reopened = openSqliteStore(`${gw.tmp.dir}/switchboard.db`);
      try {
        const [after] = (await reopened.listDeliveries({ filter: {}, limit: 1 })).items;
        expect(after).to.include({ state: 'pending', attempts: 0, nextAt: before.nextAt });
      } finally {
        await reopened.close();
      }
    } finally {
      if (!stopped) await gw.service.stop();
      gw.tmp.cleanup();
      await sink.stop();
    }
  });
});
