import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const SECRET = 'cli-test-secret-abcdef0123456789';
const FIXTURES = join(ROOT, 'test/fixtures/mta');

describe('the switchboard CLI (as a child process)', function () {
  this.timeout(30_000);
  const tmp = tempDir('cli');
  const config = tmp.write(
    'config.yaml',
    testConfig(
      tmp.dir,
      `destinations:
  ops: { type: file, path: "${tmp.dir}/ops.jsonl" }
  crm: { type: http, url: "http://127.0.0.1:9/hooks", signingSecret: "\${CRM_SIGNING_SECRET}" }
  audit: { type: file, path: "${tmp.dir}/audit.jsonl" }
routes:
  - name: failed-deliveries
    match:
      type: delivery-status
      status: [DELIVERY_FAILED, UNDELIVERED, 10]
    to: [ops]
    continue: true
  - name: vip
    match:
      tags.tier: vip
    to: [crm]
    continue: true
  - name: everything
    to: [audit]`,
      { secret: SECRET },
    ),
  );
  const env = { CRM_SIGNING_SECRET: 'whsec-cli-test-signing-secret' };
  after(() => tmp.cleanup());

  it('check says when a signed source still accepts unsigned bodies (allowUnsigned)', async () => {
    const lenient = tmp.write(
      'lenient.yaml',
      testConfig(tmp.dir, '', { secret: SECRET, allowUnsigned: true }),
    );
    const r = await runCli(['check', '--config', lenient]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/source mta: mta v3, signed; unsigned bodies also accepted \(allowUnsigned\)/);
    const strictRun = await runCli(['check', '--config', config], { env });
    expect(strictRun.stdout).to.not.include('unsigned bodies also accepted');
  });

  it('check prints a summary without secrets and exits 0', async () => {
    const r = await runCli(['check', '--config', config], { env });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/source mta: mta v3, signed/);
    expect(r.stdout).to.match(/destination crm: http/);
    expect(r.stdout).to.match(/routes: failed-deliveries → vip → everything/);
    expect(r.stdout + r.stderr).to.not.include(SECRET);
    expect(r.stdout + r.stderr).to.not.include(env.CRM_SIGNING_SECRET);
  });

  it('check shows no value substituted from an environment variable, in the summary or with --json', async () => {
    const vars = {
      LEAKY: 'Leaky-Val-7Hq2Zx9',
      PORT: '18123',
      DB_DIR: `${tmp.dir}/Db-Dir-4Kp8Wq`,
      ROUTE: 'Route-Name-3Vb6Ny',
      ADMIN_HOST: '127.0.0.1',
    };
    const file = tmp.write(
      'from-env.yaml',
      `server: { host: "\${LEAKY}", port: "\${PORT}" }
sources:
  mta: { kind: mta, secret: "${SECRET}" }
store: { driver: sqlite, path: "\${DB_DIR}/switchboard.db" }
plugins: { dirs: [${ROOT}/plugins] }
admin: { listen: "\${ADMIN_HOST}:9191" }
destinations:
  ops: { type: file, path: "${tmp.dir}/ops.jsonl" }
routes:
  - name: "\${ROUTE}"
    to: [ops]
`,
    );
    const text = await runCli(['check', '--config', file], { env: vars });
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include('server: http://(hidden):(hidden)');
    expect(text.stdout).to.include('store: sqlite (path hidden)');
    expect(text.stdout).to.include('routes: (hidden)');
    expect(text.stdout).to.include('admin: http://(hidden):9191');
    const json = await runCli(['check', '--json', '--config', file], { env: vars });
    expect(JSON.parse(json.stdout).routes).to.deep.equal(['(hidden)']);
    for (const [name, value] of Object.entries(vars)) {
      for (const r of [text, json]) expect(r.stdout + r.stderr, name).to.not.include(value);
    }
  });

  it('check shows no secret pasted as a key, neither in the key path nor with --json', async () => {
    const file = tmp.write(
      'pasted.yaml',
      testConfig(tmp.dir, '').replace(
        'secret: "test-secret-0123456789"',
        'secret: S3cr3tLiteral42, S3cr3tLiteral42: 1',
      ),
    );
    for (const args of [['check'], ['check', '--json']]) {
      const r = await runCli([...args, '--config', file]);
      expect(r.code).to.equal(1);
      expect(r.stdout + r.stderr).to.include('sources.mta.***');
      expect(r.stdout + r.stderr).to.not.include('S3cr3tLiteral42');
    }
  });

  it('ends quietly when its reader stops early (switchboard check | head -1)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/switchboard.js'), 'check', '--config', config], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // closed before the first line is written, as `head` does after its line
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const [code] = (await once(child, 'exit')) as [number];
    expect(stderr).to.not.include('EPIPE');
    expect(code).to.equal(0);
  });

  it('check reports every problem with file:line:column and exits 1', async () => {
    const bad = tmp.write(
      'bad.yaml',
      `server: { port: "80a" }
plugins: { dirs: ["${ROOT}/plugins"] }
sources:
  mta: { kind: mta, secret: "\${MISSING_SECRET_VAR}", verison: 3 }
destinations:
  a: { type: fiel, path: x }
routes:
  - match: { stauts: DELIVERD }
    to: [b]
`,
    );
    const r = await runCli(['check', '--config', bad]);
    expect(r.code).to.equal(1);
    const lines = r.stderr.split('\n').filter((l) => /bad\.yaml:\d+:\d+/.test(l));
    expect(lines.length, r.stderr).to.be.at.least(5);
    expect(r.stderr).to.match(/bad\.yaml:1:\d+ server\.port/);
    expect(r.stderr).to.match(/MISSING_SECRET_VAR/);
    expect(r.stderr).to.match(/verison.*did you mean version/);
    expect(r.stderr).to.match(/fiel.*did you mean file/);
    expect(r.stderr).to.match(/stauts.*did you mean status/);
  });

  it('route --json shows the event, every route verdict and the destinations', async () => {
    const r = await runCli(
      ['route', '--json', '--config', config, join(FIXTURES, 'v3/delivery-status.json')],
      { env },
    );
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.event).to.include({ type: 'delivery-status', phone: '+13125550143' });
    expect(out.event.status).to.deep.equal({ code: 9, name: 'UNDELIVERED', failed: true, final: true });
    expect(out.routes.map((x: { name: string; matched: boolean }) => [x.name, x.matched])).to.deep.equal([
      ['failed-deliveries', true],
      ['vip', true],
      ['everything', true],
    ]);
    expect(out.destinations).to.deep.equal(['ops', 'crm', 'audit']);
  });

  it('route explains why a route did not match', async () => {
    const delivered = {
      ...JSON.parse(readFileSync(join(FIXTURES, 'v3/delivery-status.json'), 'utf8')),
      status: 4,
      tags: {},
    };
    const r = await runCli(['route', '--config', config, '-'], { env, input: JSON.stringify(delivered) });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/✘ failed-deliveries: .*DELIVERED/);
    expect(r.stdout).to.match(/destinations: audit/);
  });

  it('route shows no value substituted from an environment variable in a route, as text or with --json (found by an attack)', async () => {
    // The verdicts quote the operands ("wanted ..."); one from ${...} is a secret like any other.
    const oncall = tmp.write(
      'oncall.yaml',
      testConfig(
        tmp.dir,
        `destinations:
  audit: { type: file, path: "${tmp.dir}/audit.jsonl" }
routes:
  - name: oncall
    match: { any: [{ externalId: "\${ONCALL_REF}" }, { tags.tier: { in: ["\${ONCALL_REF}"] } }] }
    to: [audit]`,
        { secret: SECRET },
      ),
    );
    const ref = 'oncall-private-ref-7731';
    const file = join(FIXTURES, 'v3/delivery-status.json');
    for (const args of [['route'], ['route', '--json']]) {
      const r = await runCli([...args, '--config', oncall, file], { env: { ONCALL_REF: ref } });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include('oncall');
      expect(r.stdout).to.include('[redacted]');
      expect(r.stdout + r.stderr).to.not.include(ref);
    }
  });

  it('route reads standard input and exits 1 with the HTTP errors for an undecodable payload', async () => {
    const r = await runCli(['route', '--json', '--config', config, '-'], {
      env,
      input: '{"type":"delivery-status","messageId":"abc"}',
    });
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.stdout);
    expect(out.details.map((d: { path: string }) => d.path)).to.include('messageId');
  });

  it('sign prints the X-Signature of a body', async () => {
    const file = join(FIXTURES, 'v3/message-reply.json');
    const r = await runCli(['sign', '--config', config, file], { env });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(sign(SECRET, readFileSync(file)));
  });

  it('test passes matching cases and fails with the difference otherwise', async () => {
    const cases = tmp.write(
      'cases.test.yaml',
      `cases:
  - name: vip failure pages ops and reaches the crm
    payloadFile: ${FIXTURES}/v3/delivery-status.json
    expect: [ops, crm, audit]
  - name: a plain reply is only audited
    event: message-reply
    payload: { fromNumber: "+13125550143", toNumber: "+18885550100", replyId: 1, message: hi, timestamp: "2026-11-28T14:05:40Z" }
    expect: [audit]
  - name: wrong on purpose
    payload: { type: number-opt-in, number: "+13125550143", optInType: sms, timestamp: "2026-11-28T14:05:40Z" }
    expect: [ops]
`,
    );
    const r = await runCli(['test', '--config', config, cases], { env });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/✔ vip failure pages ops and reaches the crm/);
    expect(r.stdout).to.match(/✔ a plain reply is only audited/);
    expect(r.stdout).to.match(
      /✘ wrong on purpose\n\s+expected \[ops\], got \[audit\]; missing: ops; unexpected: audit/,
    );
    expect(r.stdout).to.match(/2 passed, 1 failed/);
  });

  it('test fails only the case whose payloadFile cannot be read, runs the rest, and names the file', async () => {
    // Found by a newcomer trial: a bare ENOENT ended the whole run, with no case name and no summary.
    const cases = tmp.write(
      'missing.test.yaml',
      `cases:
  - name: a plain reply is only audited
    event: message-reply
    payload: { fromNumber: "+13125550143", toNumber: "+18885550100", replyId: 1, message: hi, timestamp: "2026-11-28T14:05:40Z" }
    expect: [audit]
  - name: its file is missing
    payloadFile: nope.json
    expect: [audit]
`,
    );
    const r = await runCli(['test', '--config', config, cases, join(tmp.dir, 'absent.test.yaml')], { env });
    // A case file that cannot be read is a usage error, as for sign and route (found by an attack: it was 1).
    expect(r.code).to.equal(2);
    expect(r.stdout).to.include('✔ a plain reply is only audited');
    expect(r.stdout).to.include(
      `✘ its file is missing\n    payloadFile nope.json: cannot read it (no such file; relative to ${cases})`,
    );
    expect(r.stderr).to.include(`${join(tmp.dir, 'absent.test.yaml')}: cannot read it (no such file)`);
    const signed = await runCli(['sign', '--config', config, join(tmp.dir, 'absent.json')], { env });
    expect(signed.code).to.equal(2);
    expect(signed.stderr).to.include(`cannot read ${join(tmp.dir, 'absent.json')}: no such file`);
  });

  it('test names a destination in expect that the config does not have, with its did-you-mean (found by a newcomer trial)', async () => {
    const cases = tmp.write(
      'typo.test.yaml',
      `cases:
  - name: replies reach the audit
    event: message-reply
    payload: { fromNumber: "+13125550143", toNumber: "+18885550100", replyId: 2, message: hi, timestamp: "2026-11-28T14:05:40Z" }
    expect: [adit]
`,
    );
    const r = await runCli(['test', '--config', config, cases], { env });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include(
      '✘ replies reach the audit\n    expect names "adit", which is not a destination of this config (did you mean audit?)',
    );
  });

  it('test runs the example test file beside config.example.yaml', async () => {
    const r = await runCli(['test', '--config', join(ROOT, 'config.example.yaml')]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/3 passed, 0 failed/);
  });

  it('test without a test file says how to write one and where the example is', async () => {
    const r = await runCli(['test', '--config', config], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      `no test files given and ${join(tmp.dir, 'config.test.yaml')} does not exist`,
    );
    expect(r.stderr).to.include(join(ROOT, 'config.example.test.yaml'));
    expect(r.stderr).to.match(/payloadFile/);
  });

  it('test-destination sends a sample event to a file destination', async () => {
    const r = await runCli(['test-destination', '--config', config, 'audit'], { env });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/✔ audit \(file\): sample delivery-status event delivered/);
    const line = JSON.parse(readFileSync(join(tmp.dir, 'audit.jsonl'), 'utf8').trim().split('\n').at(-1)!);
    expect(line.type).to.equal('delivery-status');
  });

  it('test-destination reports an unreachable destination as a transient failure', async () => {
    const r = await runCli(['test-destination', '--config', config, 'crm'], { env });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/✘ crm \(http\): .*transient: would be retried/);
    expect(r.stdout).to.not.include(env.CRM_SIGNING_SECRET);
  });

  it('pauses and resumes a route or a destination by name, and refuses an unknown name', async () => {
    const paused = await runCli(['pause', '--config', config, 'vip'], { env });
    expect(paused.code, paused.stderr).to.equal(0);
    expect(paused.stdout).to.match(/paused route vip: its deliveries stay queued/);
    const listed = await runCli(['pause', '--config', config, 'ops'], { env });
    expect(listed.stdout).to.match(/paused destination ops/);
    expect((await runCli(['resume', '--config', config, 'vip'], { env })).stdout).to.match(
      /resumed route vip/,
    );
    expect((await runCli(['resume', '--config', config, 'ops'], { env })).stdout).to.match(
      /resumed destination ops/,
    );
    const unknown = await runCli(['pause', '--config', config, 'nope'], { env });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/no destination or route named "nope"/);
  });

  it('start exits 1 with a plain message, instead of hanging, when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const taken = tmp.write('taken.yaml', readFileSync(config, 'utf8').replace('port: 0', `port: ${port}`));
    try {
      const r = await runCli(['start', '--config', taken], { env });
      expect(r.code).to.equal(1);
      // The setting is named with its file: on `npm start` the user may not know which config was read.
      expect(r.stderr).to.include(
        `127.0.0.1:${port} is already in use: stop the other process or set server.port in ${resolve(taken)}`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says a config path that is a directory is one, and which file to give (found by a newcomer trial)', async () => {
    // It used to read "cannot read config file: EISDIR: illegal operation on a directory, read".
    const wanted = `is a directory, not a config file: give the YAML file in it, e.g. --config ${join(tmp.dir, 'config.yaml')}`;
    const check = await runCli(['check', '--config', tmp.dir]);
    expect(check.code).to.equal(1);
    expect(check.stderr).to.include(`: ${wanted}`).and.not.include('EISDIR');
    const events = await runCli(['events', '--config', tmp.dir]);
    expect(events.code).to.equal(1);
    expect(events.stderr).to.include(`${tmp.dir}: ${wanted}`).and.not.include('EISDIR');
  });

  it('exits 2 on a usage error', async () => {
    expect((await runCli(['nonsense'])).code).to.equal(2);
    expect((await runCli(['route', '--config', config], { env })).code).to.equal(2);
    expect((await runCli(['deliveries', '--bogus'])).code).to.equal(2);
  });
});

describe("the README's CLI block", () => {
  it('is what switchboard --help prints (found by a newcomer trial: three commands had drifted)', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /### CLI\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the ### CLI code block').to.be.a('string');
    const help = await runCli(['--help']);
    expect(help.code).to.equal(0);
    expect(block).to.equal(help.stdout);
  });
});
