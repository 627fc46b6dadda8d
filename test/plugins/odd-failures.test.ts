/**
 * A user's plugin that fails in odd ways (rejects with something that is not an Error, names its own reason,
 * hangs ignoring its signal), driven from outside: a real gateway process, the real CLI.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const TOKEN = 'odd-plugin-t0ken-5f2b9c0e8a7d';

/** A plugin whose `mode` option picks how its send fails. */
const PLUGIN = `import { t } from 'switchboard/plugin-sdk';
export default {
  type: 'odd',
  config: t.type({ mode: t.string, token: t.string }),
  create(o) {
    return {
      send() {
        switch (o.mode) {
          case 'no-prototype': return Promise.reject(Object.create(null));
          case 'object': return Promise.reject({ code: 'E_QUOTA', detail: 'quota exceeded', token: o.token });
          case 'undefined': return Promise.reject(undefined);
          case 'cause': return Promise.reject(new Error('send failed', { cause: new Error('quota exceeded for ' + o.token) }));
          case 'own-reason': return Promise.reject(Object.assign(new Error('busy'), { reason: 'busy-' + Math.random() }));
          case 'hang': return new Promise(() => {});
        }
        return Promise.resolve();
      },
    };
  },
};
`;

const MODES = ['no-prototype', 'object', 'undefined', 'cause', 'own-reason'];

function config(dir: string): string {
  const destinations = [...MODES, 'hang']
    .map((m) => `  ${m}: { type: odd, mode: ${m}, token: "\${ODD_TOKEN}" }`)
    .join('\n');
  return `server: { host: 127.0.0.1, port: 0 }
sources: { mta: { kind: mta, version: 3, allowUnsigned: true } }
store: { driver: sqlite, path: ${dir}/switchboard.db }
plugins: { dirs: [./plugins] }
admin: { listen: "127.0.0.1:0" }
delivery: { attempts: 2, timeout: 1s, backoff: { initial: 50ms, max: 100ms } }
destinations:
${destinations}
routes:
  - name: all
    to: [${MODES.join(', ')}]
`;
}

interface Row {
  destination: string;
  state: string;
  attempts: number;
  lastError: string | null;
}

describe('a plugin that fails in odd ways', function () {
  this.timeout(60_000);
  const tmp = tempDir('odd-plugin');
  mkdirSync(join(tmp.dir, 'plugins'));
  tmp.write('plugins/odd.js', PLUGIN);
  const file = tmp.write('config.yaml', config(tmp.dir));
  const env = { ODD_TOKEN: TOKEN };
  let gw: GatewayProcess | undefined;
  after(async () => {
    await gw?.stop();
    tmp.cleanup();
  });

  it('records every failure as an attempt whose error says what the plugin gave, secrets hidden, and ends it dead', async () => {
    gw = await GatewayProcess.start(file, env);
    const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8');
    expect((await gw.post('/webhooks/mta', body)).status).to.equal(200);
    let rows: Row[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = await runCli(['deliveries', '--config', file, '--json'], { env, cwd: tmp.dir });
      rows = JSON.parse(r.stdout) as Row[];
      if (rows.length === MODES.length && rows.every((row) => row.state === 'dead')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const byName = new Map(rows.map((row) => [row.destination, row]));
    // An object without a prototype once made the classification itself throw: no attempt was ever recorded,
    // and the delivery stayed `sending`, claimed again at every lease, for ever.
    expect(byName.get('no-prototype')).to.include({ state: 'dead', attempts: 2 });
    expect(byName.get('no-prototype')?.lastError).to.match(/object that says nothing \(not an Error\)/);
    expect(byName.get('object')?.lastError).to.equal(
      'the destination failed with {"code":"E_QUOTA","detail":"quota exceeded","token":"[redacted]"} (not an Error)',
    );
    expect(byName.get('undefined')?.lastError).to.equal(
      'the destination failed without saying why (it threw undefined, not an Error)',
    );
    expect(byName.get('cause')?.lastError).to.equal('send failed (cause: quota exceeded for [redacted])');
    for (const row of rows) expect(row.state, row.destination).to.equal('dead');
    expect(gw.raw.join('\n')).to.not.include(TOKEN);

    // A plugin's own word for its reason is no metrics label: each would make a new series.
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    const reasons = metrics
      .split('\n')
      .filter((l) => l.startsWith('switchboard_delivery_attempts_total{destination="own-reason"'));
    expect(reasons.length).to.be.greaterThan(0);
    for (const line of reasons) expect(line).to.include('reason="other"');
  });

  it('test-destination reports a plugin that hangs ignoring its signal as timed out, instead of exiting 13 silently', async () => {
    const r = await runCli(['test-destination', '--config', file, 'hang'], { env, cwd: tmp.dir });
    expect(r.stdout).to.match(/✘ hang \(odd\): no answer within the 1000 ms attempt timeout \(transient/);
    expect(r.code, r.stderr).to.equal(1);
  });
});
