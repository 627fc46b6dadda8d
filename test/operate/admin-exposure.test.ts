import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { adminExposureWarning, isLoopback, tokenWeakness } from '../../src/config/admin-exposure.ts';
import { runCli } from '../helpers/gateway.ts';
import { startService, testConfig } from '../helpers/service.ts';
import { tempDir } from '../helpers/tmp.ts';

const STRONG = '9f4c2a7e1b8d3f6a0c5e9b2d7a4f1c8e';
const WEAK = 'letmein-admin';
const REPEATED = 'changeme-changeme-changeme-changeme';

describe('a weak admin token on a public admin listener', function () {
  this.timeout(30_000);

  it('tells loopback addresses from the ones other machines reach', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])
      expect(isLoopback(host), host).to.equal(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.20', 'admin.internal', '128.0.0.1'])
      expect(isLoopback(host), host).to.equal(false);
  });

  it('calls a token weak when short, a repeated piece, or of too few characters, in words without the token', () => {
    const table: Array<[string, string | undefined]> = [
      [WEAK, 'it is 13 characters long'],
      ['x'.repeat(31), 'it is 31 characters long'],
      [REPEATED, 'it is a short piece of text repeated'],
      ['a'.repeat(40), 'it is a short piece of text repeated'],
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'it has too few different characters to be random'],
      [STRONG, undefined],
      ['Zx9vQm2LpR7tW4yK8nB3cF6hJ1dG5sA0', undefined],
    ];
    for (const [token, why] of table) expect(tokenWeakness(token), token).to.equal(why);
  });

  it('warns only when the listener is public and the token weak', () => {
    const publicAt = { host: '0.0.0.0', port: 9091 };
    expect(adminExposureWarning({ token: WEAK, listen: publicAt })).to.equal(
      'weak admin token on a public listener: admin.listen (0.0.0.0:9091) is reachable from other machines, and ' +
        'the token that opens the admin API and the console there is weak (it is 13 characters long). Use at ' +
        'least 32 random characters (e.g. openssl rand -hex 32), or listen on 127.0.0.1',
    );
    expect(adminExposureWarning({ token: WEAK, listen: { host: '::', port: 1 } })).to.include('([::]:1)');
    expect(adminExposureWarning({ token: WEAK, listen: { host: '127.0.0.1', port: 9091 } })).to.equal(
      undefined,
    );
    expect(adminExposureWarning({ token: STRONG, listen: publicAt })).to.equal(undefined);
    expect(adminExposureWarning({ listen: publicAt })).to.equal(undefined);
  });

  describe('switchboard check (the real CLI)', () => {
    const tmp = tempDir('exposure');
    after(() => tmp.cleanup());
    const configWith = (admin: string) =>
      tmp.write('config.yaml', testConfig(tmp.dir, `admin: ${admin}\nroutes: []`));

    it('reports it as a warning with the file and line, exits 0 and never prints the token', async () => {
      const file = configWith(`{ token: "\${ADMIN_TOKEN}", listen: "0.0.0.0:9091" }`);
      const r = await runCli(['check', '--config', file], { env: { ADMIN_TOKEN: WEAK } });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.match(
        /^warning: .*config\.yaml:\d+:\d+ admin\.token: weak admin token on a public listener: admin\.listen \(0\.0\.0\.0:9091\)/m,
      );
      expect(r.stdout + r.stderr).not.to.include(WEAK);

      const json = await runCli(['check', '--json', '--config', file], { env: { ADMIN_TOKEN: WEAK } });
      const answer = JSON.parse(json.stdout) as { ok: boolean; warnings: string[] };
      expect(answer.ok).to.equal(true);
      expect(answer.warnings.filter((w) => w.includes('weak admin token'))).to.have.length(1);
      expect(json.stdout).not.to.include(WEAK);
    });

    it('says nothing of it for a strong token, or a weak one on 127.0.0.1', async () => {
      for (const [admin, token] of [
        [`{ token: "\${ADMIN_TOKEN}", listen: "0.0.0.0:9091" }`, STRONG],
        [`{ token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:9091" }`, WEAK],
      ]) {
        const r = await runCli(['check', '--config', configWith(admin)], { env: { ADMIN_TOKEN: token } });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr, admin).not.to.include('weak admin token');
      }
    });
  });

  it('is logged at start, and again by a reload that makes the token weak', async () => {
    const gw = await startService(`admin: { token: "\${ADMIN_TOKEN}", listen: "0.0.0.0:0" }`, {
      env: { ADMIN_TOKEN: REPEATED },
    });
    try {
      const warned = () =>
        gw.capture.lines
          .map((l) => JSON.parse(l) as { level: number; msg: string })
          .filter((l) => l.level === 40 && l.msg.includes('weak admin token on a public listener'));
      expect(warned()).to.have.length(1);
      expect(warned()[0].msg).to.include('(it is a short piece of text repeated)');
      expect(gw.capture.lines.join('\n')).not.to.include(REPEATED);

      writeFileSync(gw.file, testConfig(gw.tmp.dir, `admin: { token: "${STRONG}", listen: "0.0.0.0:0" }`));
      expect(await gw.service.reload()).to.deep.equal({ ok: true });
      expect(warned()).to.have.length(1);
      writeFileSync(gw.file, testConfig(gw.tmp.dir, `admin: { token: "${WEAK}", listen: "0.0.0.0:0" }`));
      expect(await gw.service.reload()).to.deep.equal({ ok: true });
      expect(warned()).to.have.length(2);
      expect(warned()[1].msg).to.include('(it is 13 characters long)');
      expect(gw.capture.lines.join('\n')).not.to.include(WEAK);
    } finally {
      await gw.stop();
    }
  });
});
