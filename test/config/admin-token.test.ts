import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { tempDir } from '../helpers/tmp.ts';

const GOOD = '4b1e9c7a2f8d0e6b3a5c9f1d7e2b8a4c';
/** A distinctive body for every bad token, so any trace of it in the output is found. */
const BODY = 'Kq7ZtokenBodyW3xv';

/** The forms a token could leak in: as is, either half, JSON-escaped, URL-encoded, hex, base64, base64url. */
function leaks(token: string, output: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const forms = [
    token,
    BODY,
    JSON.stringify(token).slice(1, -1),
    encodeURIComponent(token),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    Buffer.from(BODY).toString('hex'),
    Buffer.from(BODY).toString('base64').slice(0, 20),
  ];
  return forms.filter((form) => output.includes(form));
}

/** Tokens an Authorization header cannot carry whole, and what the error must say of each. */
const BAD: Array<[string, string, RegExp]> = [
  ['a trailing newline (a file read into a variable)', `${BODY}\n`, /holds a line break, .*\|- drops it/],
  ['a carriage return', `${BODY}\rmore`, /holds a line break/],
  ['a NUL', `${BODY}\u0000`, /holds a control character, .*openssl rand -hex 32/],
  ['an escape', `${BODY}\u001b[2J`, /holds a control character/],
  ['a character outside Latin-1', `${BODY}€`, /holds a character outside Latin-1/],
  ['an emoji', `${BODY}🔑`, /holds a character outside Latin-1/],
  ['a leading space', ` ${BODY}`, /starts or ends with a space or tab, which HTTP strips/],
  ['a trailing tab', `${BODY}\t`, /starts or ends with a space or tab/],
];

describe('an admin.token an HTTP header cannot carry is a config error that never shows the token', function () {
  this.timeout(60_000);
  const tmp = tempDir('admin-token');
  after(() => tmp.cleanup());
  const withToken = (name: string, token: string) =>
    tmp.write(
      name,
      testConfig(tmp.dir, `admin: { token: ${JSON.stringify(token)}, listen: "127.0.0.1:0" }\nroutes: []`),
    );
  const fromEnv = tmp.write(
    'env.yaml',
    testConfig(tmp.dir, `admin: { token: "\${ADMIN_TOKEN}", listen: "127.0.0.1:0" }\nroutes: []`),
  );

  for (const [what, token, message] of BAD) {
    it(`switchboard check refuses one with ${what}, naming admin.token and the fix`, async () => {
      // A YAML double-quoted string takes JSON's escapes, NUL included (the environment cannot hold a NUL).
      const r = await runCli(['check', '--config', withToken('config.yaml', token)]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      const line = r.stderr.split('\n').find((l) => / admin\.token: /.test(l));
      expect(line, r.stderr).to.match(/config\.yaml:\d+:\d+ admin\.token: the value \(not shown\) /);
      expect(line).to.match(message);
      expect(leaks(token, r.stdout + r.stderr)).to.deep.equal([]);
    });
  }

  it('refuses a token written as a YAML | block (it keeps its last line break), at its line', async () => {
    const block = tmp.write(
      'block.yaml',
      testConfig(tmp.dir, `admin:\n  listen: "127.0.0.1:0"\n  token: |\n    ${BODY}\nroutes: []`),
    );
    const r = await runCli(['check', '--config', block]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/block\.yaml:\d+:\d+ admin\.token: the value \(not shown\) holds a line break/);
    expect(leaks(`${BODY}\n`, r.stdout + r.stderr)).to.deep.equal([]);
    const fixed = tmp.write(
      'fixed.yaml',
      testConfig(tmp.dir, `admin:\n  token: |-\n    ${GOOD}\nroutes: []`),
    );
    const ok = await runCli(['check', '--config', fixed]);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('switchboard start refuses one from an environment variable ending in a newline, and does not start', async () => {
    const [, token] = BAD[0];
    const { listened, code, output } = await new GatewayProcess(fromEnv, { ADMIN_TOKEN: token }).outcome();
    expect(listened, output).to.equal(false);
    expect(code, output).to.equal(1);
    expect(output).to.match(/admin\.token: the value \(not shown\) holds a line break/);
    expect(output).to.match(/not started: 1 problem\(s\)/);
    expect(leaks(token, output)).to.deep.equal([]);
  });

  it('a reload to one is refused, logged without the token, and the running token keeps working', async () => {
    const live = tmp.write(
      'live.yaml',
      testConfig(tmp.dir, `admin: { token: "${GOOD}", listen: "127.0.0.1:0" }\nroutes: []`),
    );
    const gw = await GatewayProcess.start(live);
    try {
      const token = `${BODY}\n`;
      writeFileSync(
        live,
        testConfig(tmp.dir, `admin: { token: ${JSON.stringify(token)}, listen: "127.0.0.1:0" }\nroutes: []`),
      );
      gw.child.kill('SIGHUP');
      const refused = await gw.waitForLog(
        (l) => l.msg === 'config reload refused; keeping the running config',
        'the refusal',
      );
      expect(JSON.stringify(refused.problems)).to.match(
        /admin\.token: the value \(not shown\) holds a line break/,
      );
      const res = await fetch(`${gw.adminUrl}/api/destinations`, {
        headers: { authorization: `Bearer ${GOOD}` },
      });
      expect(res.status).to.equal(200);
      expect(leaks(token, gw.raw.join('\n'))).to.deep.equal([]);
    } finally {
      await gw.stop();
    }
  });
});
