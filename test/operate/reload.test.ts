import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { GatewayProcess } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const SECRET = 'reload-test-secret-0123456789';
const reply = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

describe('hot reload (SIGHUP, real child process)', function () {
  this.timeout(60_000);

  it('keeps the old routes when the new config is bad, and applies a good one to the next event', async () => {
    const a = await Sink.start();
    const b = await Sink.start();
    const tmp = tempDir('reload');
    const routesTo = (dest: string) =>
      testConfig(
        tmp.dir,
        `destinations:
  a: { type: http, url: "${a.url}" }
  b: { type: http, url: "${b.url}" }
routes:
  - to: [${dest}]`,
        { secret: SECRET },
      );
    const file = tmp.write('config.yaml', routesTo('a'));
    const gw = await GatewayProcess.start(file);
    let n = 0;
    const send = async () => {
      const text = JSON.stringify({ ...reply, replyId: ++n });
      const res = await fetch(`${gw.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
        body: text,
      });
      expect(res.status).to.equal(200);
    };
    try {
      await send();
      await a.waitFor(() => a.requests.length === 1, 'the first event at a');

      writeFileSync(file, `${routesTo('a')}\nbogus: true\n`.replace('to: [a]', 'to: [nowhere]'));
      gw.child.kill('SIGHUP');
      const refused = await gw.waitForLog(
        (l) => l.msg === 'config reload refused; keeping the running config',
        'the refusal',
      );
      expect(JSON.stringify(refused.problems))
        .to.match(/nowhere/)
        .and.match(/bogus/);
      await send();
      await a.waitFor(() => a.requests.length === 2, 'the second event still at a');

      writeFileSync(file, routesTo('b'));
      gw.child.kill('SIGHUP');
      await gw.waitForLog((l) => l.msg === 'config reloaded', 'the reload');
      await send();
      await b.waitFor(() => b.requests.length === 1, 'the third event at b');
      expect(a.requests).to.have.length(2);
      expect(await gw.stop()).to.equal(0);
    } finally {
      await gw.signal('SIGKILL');
      await a.stop();
      await b.stop();
      tmp.cleanup();
    }
  });
});

describe('a reload that removes a destination holding deliveries (real child process)', function () {
  this.timeout(60_000);

  it('warns with how many deliveries wait for it, instead of stalling them silently (found by an on-call attack)', async () => {
    const down = await Sink.start();
    down.reply = () => ({ status: 503 });
    const tmp = tempDir('reload-held');
    const to = (dest: string) =>
      testConfig(
        tmp.dir,
        `destinations:
  ${dest}: { type: http, url: "${down.url}" }
routes:
  - to: [${dest}]`,
        { secret: SECRET },
      );
    const file = tmp.write('config.yaml', to('legacy-crm'));
    const gw = await GatewayProcess.start(file);
    try {
      for (const replyId of [1, 2]) {
        const text = JSON.stringify({ ...reply, replyId });
        const res = await fetch(`${gw.url}/webhooks/mta`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': sign(SECRET, text) },
          body: text,
        });
        expect(res.status).to.equal(200);
      }
      await down.waitFor(() => down.requests.length >= 2, 'both tried and refused');
      writeFileSync(file, to('new-crm'));
      gw.child.kill('SIGHUP');
      const warned = await gw.waitForLog(
        (l) =>
          l.msg ===
          'destination removed from the config holds queued deliveries: they wait until it is added back',
        'the warning',
      );
      expect(warned).to.include({
        level: 40,
        destination: 'legacy-crm',
        queued: 2,
        see: 'switchboard deliveries --destination legacy-crm',
      });
      expect(await gw.stop()).to.equal(0);
    } finally {
      await gw.signal('SIGKILL');
      await down.stop();
      tmp.cleanup();
    }
  });
});

describe('a fresh start on the example config', function () {
  this.timeout(60_000);

  it('starts with no environment variables and writes a curl-style webhook to the file destination', async () => {
    const tmp = tempDir('example');
    // The example config as shipped, on a free port, with its data under the temp dir.
    const text = readFileSync(join(ROOT, 'config.example.yaml'), 'utf8')
      .replace('port: 8080', 'port: 0')
      .replace('listen: 127.0.0.1:9091', 'listen: 127.0.0.1:0')
      .replaceAll('./data/', `${tmp.dir}/data/`)
      .replace('dirs: [./plugins]', `dirs: [${ROOT}/plugins]`);
    const file = tmp.write('config.yaml', text);
    const gw = await GatewayProcess.start(file);
    try {
      // Logged right after the listening line, which may reach us in an earlier chunk of output.
      await gw.waitForLog(
        (l) => String(l.msg).includes('UNSIGNED WEBHOOKS ARE ACCEPTED'),
        'the unsigned warning',
      );
      const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'));
      const res = await gw.post('/webhooks/mta', body);
      expect(res.status).to.equal(200);
      await gw.waitForLog(
        (l) => l.msg === 'delivered' && l.destination === 'audit',
        'delivery to the audit file',
      );
      const line = JSON.parse(readFileSync(join(tmp.dir, 'data/events.jsonl'), 'utf8').trim());
      expect(line).to.include({ id: res.json.id, type: 'delivery-status', phone: '+13125550143' });
      expect(await gw.stop()).to.equal(0);
    } finally {
      await gw.signal('SIGKILL');
      tmp.cleanup();
    }
  });
});
