import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { CONFIG_MAX_BYTES } from '../../src/config/read.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { tempDir } from '../helpers/tmp.ts';

/** `yaml` grown to exactly `bytes` with comment lines: a valid config whatever its size. */
function padded(yaml: string, bytes: number): string {
  const line = `# ${'p'.repeat(97)}\n`;
  const room = bytes - Buffer.byteLength(yaml);
  const lines = line.repeat(Math.floor(room / line.length));
  const rest = room - lines.length;
  return yaml + lines + (rest > 0 ? `#${'q'.repeat(rest - 2)}\n`.slice(-rest) : '');
}

const TOO_LARGE =
  /config file is 1\.0 MiB \(1048577 bytes\), over the limit of 1 MiB, so it was not read: check that this is the config file \(a config is a few kB\), and move anything bulky out of it/;

describe('a config file over 1 MiB is refused before it is parsed (found by an attack: 60 MB took 19 s to reload)', function () {
  this.timeout(60_000);
  const tmp = tempDir('config-size');
  after(() => tmp.cleanup());
  const yaml = testConfig(tmp.dir, 'routes: []');

  it('pads test files to the byte', () => {
    expect(Buffer.byteLength(padded(yaml, CONFIG_MAX_BYTES + 1))).to.equal(CONFIG_MAX_BYTES + 1);
    expect(Buffer.byteLength(padded(yaml, CONFIG_MAX_BYTES))).to.equal(CONFIG_MAX_BYTES);
  });

  it('switchboard check refuses one byte over, saying the size, the limit and what to do; the limit itself passes', async () => {
    const over = tmp.write('over.yaml', padded(yaml, CONFIG_MAX_BYTES + 1));
    const r = await runCli(['check', '--config', over]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.match(TOO_LARGE);
    expect(r.stderr.trim().split('\n')).to.have.length(2); // the problem, then "1 problem(s) in …"
    const at = tmp.write('at.yaml', padded(yaml, CONFIG_MAX_BYTES));
    const ok = await runCli(['check', '--config', at]);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('an operator command refuses it too', async () => {
    const over = tmp.write('events.yaml', padded(yaml, CONFIG_MAX_BYTES + 1));
    const r = await runCli(['events', '--config', over]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.match(TOO_LARGE);
  });

  it('switchboard start refuses it and does not start', async () => {
    const over = tmp.write('start.yaml', padded(yaml, CONFIG_MAX_BYTES + 1));
    const { listened, code, output } = await new GatewayProcess(over).outcome();
    expect(listened, output).to.equal(false);
    expect(code, output).to.equal(1);
    expect(output).to.match(TOO_LARGE);
  });

  it('a reload to it is refused and logged with the size, and the running config stays in force', async () => {
    const file = tmp.write('live.yaml', yaml);
    const gw = await GatewayProcess.start(file);
    try {
      // The same config, only longer: before the limit, it reloaded.
      writeFileSync(file, padded(yaml, CONFIG_MAX_BYTES + 1));
      gw.child.kill('SIGHUP');
      const refused = await gw.waitForLog(
        (l) => l.msg === 'config reload refused; keeping the running config',
        'the refusal',
      );
      expect(refused.problems).to.have.length(1);
      expect(String((refused.problems as string[])[0])).to.match(TOO_LARGE);
      const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
      expect(metrics).to.match(/^switchboard_config_reloads_total\{result="refused"\} 1$/m);
      expect(gw.lines.filter((l) => l.msg === 'config reloaded')).to.deep.equal([]);
      expect((await fetch(`${gw.url}/readyz`)).status).to.equal(200);
    } finally {
      await gw.stop();
    }
  });
});
