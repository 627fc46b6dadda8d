import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sign } from '../../src/ingress/signature.ts';
import { generateSecret } from '../../src/sources/mta/secret.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { MtaApiStub } from '../helpers/mta-api.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

const reply = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

/** `switchboard mta ...` as a child whose standard input stays open, to answer its prompt. */
class Interactive {
  stdout = '';
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number>;
  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [join(ROOT, 'bin/switchboard.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (c) => (this.stdout += c));
    this.child.stderr.on('data', (c) => (this.stderr += c));
    this.exited = once(this.child, 'exit').then(([code]) => code as number);
  }
  async waitFor(text: string): Promise<void> {
    let code: number | undefined;
    void this.exited.then((c) => (code = c));
    while (!this.stderr.includes(text) && !this.stdout.includes(text)) {
      if (code !== undefined)
        throw new Error(`exited (${code}) before "${text}":\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('secret rotation end to end (gateway, CLI and MTA stand-in as real processes and servers)', function () {
  this.timeout(90_000);
  const tmp = tempDir('mta-rotate');
  const OLD = generateSecret();
  let api: MtaApiStub;
  let gw: GatewayProcess | undefined;
  let n = 0;

  const configWith = (secretLine: string) =>
    `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, ${secretLine} }
store: { driver: sqlite, path: ${tmp.dir}/switchboard.db }
plugins: { dirs: [${ROOT}/plugins] }
destinations:
  audit: { type: file, path: "${tmp.dir}/audit.jsonl" }
routes:
  - to: [audit]
`;
  const file = tmp.write('config.yaml', configWith(`secret: "${OLD}"`));
  const env = () => ({
    MTA_API_KEY: api.apiKey,
    MTA_API_URL: api.url,
    SWITCHBOARD_MTA_BACKOFF_MS: '20',
    MTA_WEBHOOK_SECRET: OLD,
  });
  const body = () => JSON.stringify({ ...reply, replyId: 7000 + ++n });
  const post = async (secret: string) => {
    const text = body();
    const res = await fetch(`${gw!.url}/webhooks/mta/message-reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': sign(secret, text) },
      body: text,
    });
    await res.text();
    return res.status;
  };
  const reload = async () => {
    const before = gw!.lines.filter((l) => l.msg === 'config reloaded').length;
    gw!.child.kill('SIGHUP');
    await gw!.waitForLog(
      () => gw!.lines.filter((l) => l.msg === 'config reloaded').length > before,
      'the reload',
    );
  };
  const signatureCount = async (index: number) => {
    const text = await (await fetch(`${gw!.adminUrl}/metrics`)).text();
    const m = new RegExp(
      `switchboard_webhook_signatures_total\\{source="mta",secret="${index}"\\} (\\d+)`,
    ).exec(text);
    return m ? Number(m[1]) : 0;
  };

  beforeEach(async () => {
    api = await MtaApiStub.start();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
    await api.close();
  });
  after(() => tmp.cleanup());

  it('accepts both secrets during the rotation, moves every registration to the new one, then only the new one', async () => {
    // As the README sets it up: the secret from the environment.
    writeFileSync(file, configWith('secret: "$' + '{MTA_WEBHOOK_SECRET}"'));
    gw = await GatewayProcess.start(file, { MTA_WEBHOOK_SECRET: OLD });
    const base = `${gw.url}/webhooks/mta`;
    const registered = await runCli(['mta', 'register', '--url', base, '--config', file], { env: env() });
    expect(registered.code, registered.stderr).to.equal(0);
    expect(await api.deliver('message-reply', body())).to.deep.equal([200]);

    const secretFile = join(tmp.dir, 'mta.secret.new');
    const rotate = new Interactive(
      ['mta', 'rotate', '--url', base, '--secret-file', secretFile, '--config', file],
      env(),
    );
    await rotate.waitFor('Type yes once the gateway runs with both secrets');
    const NEW = readFileSync(secretFile, 'utf8').trim();
    expect(NEW)
      .to.match(/^[0-9a-f]{128}$/)
      .and.not.equal(OLD);
    expect(rotate.stdout).to.include(
      `secrets: ["<the new secret: the contents of ${secretFile}>", "$` + '{MTA_WEBHOOK_SECRET}"]',
    );
    expect(api.writes.filter((w) => w.method === 'PATCH')).to.have.length(0);

    // The user's step 1, as printed: the new value in the file beside the old variable, applied by a reload.
    writeFileSync(file, configWith(`secrets: ["${NEW}", "$` + '{MTA_WEBHOOK_SECRET}"]'));
    await reload();
    expect(await post(OLD)).to.equal(200);
    expect(await post(NEW)).to.equal(200);
    expect(await post(generateSecret())).to.equal(401);

    rotate.child.stdin.end('yes\n');
    expect(await rotate.exited, rotate.stderr).to.equal(0);
    expect(rotate.stdout).to.include('Step 2 of 3: 4 registration(s) now sign with the new secret');
    expect(rotate.stdout).to.include('switchboard_webhook_signatures_total{source="mta",secret="1"}');
    expect([...api.webhooks.values()].map((w) => w.secret)).to.deep.equal([NEW, NEW, NEW, NEW]);
    expect(await api.deliver('message-reply', body())).to.deep.equal([200]);
    // The label is the position in the config: 0 was OLD for the first delivery, NEW since the reload.
    expect(await signatureCount(0)).to.equal(3);
    expect(await signatureCount(1)).to.equal(1); // OLD: the direct post during the rotation

    // Step 3: the old secret dropped, again by a reload.
    writeFileSync(file, configWith(`secret: "${NEW}"`));
    await reload();
    expect(await post(OLD)).to.equal(401);
    expect(await post(NEW)).to.equal(200);
    const status = readFileSync(join(ROOT, 'test/fixtures/mta/v3/delivery-status.json'), 'utf8');
    expect(await api.deliver('delivery-status', status)).to.deep.equal([200]);

    const output = registered.stdout + registered.stderr + rotate.stdout + rotate.stderr;
    expect(output).to.not.include(NEW);
    expect(output).to.not.include(OLD);
    expect(gw.raw.join('\n')).to.not.include(NEW).and.not.include(OLD);
  });

  it('changes nothing at MTA when the user does not confirm', async () => {
    writeFileSync(file, configWith(`secret: "${OLD}"`));
    api.seed({
      event: 'message-reply',
      url: 'https://gw.example.com/webhooks/mta/message-reply',
      secret: OLD,
    });
    const r = await runCli(
      [
        'mta',
        'rotate',
        '--url',
        'https://gw.example.com/webhooks/mta',
        '--secret-file',
        join(tmp.dir, `s-${++n}`),
        '--config',
        file,
      ],
      { env: env(), input: 'no\n' },
    );
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('Stopped: nothing was changed at MTA');
    expect(api.writes).to.have.length(0);
    expect([...api.webhooks.values()][0].secret).to.equal(OLD);
  });

  it('refuses to update the registrations while the config does not list the new secret, even with --yes', async () => {
    writeFileSync(file, configWith(`secret: "${OLD}"`));
    api.seed({
      event: 'message-reply',
      url: 'https://gw.example.com/webhooks/mta/message-reply',
      secret: OLD,
    });
    const r = await runCli(
      [
        'mta',
        'rotate',
        '--yes',
        '--url',
        'https://gw.example.com/webhooks/mta',
        '--secret-file',
        join(tmp.dir, `s-${++n}`),
        '--config',
        file,
      ],
      { env: env() },
    );
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('does not list the new secret yet');
    expect(api.writes).to.have.length(0);
  });

  it('says how far it got when MTA refuses one update, and finishes on a second run', async () => {
    const secretFile = join(tmp.dir, `s-${++n}`);
    writeFileSync(file, configWith(`secret: "${OLD}"`));
    for (const e of ['message-reply', 'delivery-status'])
      api.seed({ event: e, url: `https://gw.example.com/webhooks/mta/${e}`, secret: OLD });
    const args = [
      'mta',
      'rotate',
      '--url',
      'https://gw.example.com/webhooks/mta',
      '--secret-file',
      secretFile,
      '--config',
      file,
    ];
    await runCli(args, { env: env() });
    const NEW = readFileSync(secretFile, 'utf8').trim();
    writeFileSync(file, configWith(`secrets: ["${NEW}", "${OLD}"]`));
    let patches = 0;
    api.faults.push({
      status: 400,
      message: 'Invalid secret',
      when: (m) => m === 'PATCH' && ++patches === 2,
    });
    const r = await runCli([...args, '--yes'], { env: env() });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('Invalid secret').and.include('1 of 2 registration(s) were updated');
    expect([...api.webhooks.values()].map((w) => w.secret)).to.deep.equal([NEW, OLD]);
    const again = await runCli([...args, '--yes'], { env: env() });
    expect(again.code, again.stderr).to.equal(0);
    expect([...api.webhooks.values()].map((w) => w.secret)).to.deep.equal([NEW, NEW]);
  });

  it('continues on a second run once the config lists both secrets (same --secret-file)', async () => {
    const secretFile = join(tmp.dir, `s-${++n}`);
    writeFileSync(file, configWith(`secret: "${OLD}"`));
    api.seed({
      event: 'message-reply',
      url: 'https://gw.example.com/webhooks/mta/message-reply',
      secret: OLD,
    });
    const args = [
      'mta',
      'rotate',
      '--url',
      'https://gw.example.com/webhooks/mta',
      '--secret-file',
      secretFile,
      '--config',
      file,
    ];
    expect((await runCli(args, { env: env() })).code).to.equal(1); // no answer: stops after step 1
    const NEW = readFileSync(secretFile, 'utf8').trim();
    writeFileSync(file, configWith(`secrets: ["${NEW}", "${OLD}"]`));
    const r = await runCli([...args, '--yes'], { env: env() });
    expect(r.code, r.stderr).to.equal(0);
    expect([...api.webhooks.values()][0].secret).to.equal(NEW);
  });
});
