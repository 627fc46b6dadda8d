import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/gateway.ts';
import { MtaApiStub } from '../helpers/mta-api.ts';
import { tempDir } from '../helpers/tmp.ts';

const BASE = 'https://gw.example.com/webhooks/mta';
const EVENTS = ['delivery-status', 'message-reply', 'message-send', 'number-opt-in'];
const HEX128 = /^[0-9a-f]{128}$/;
const SIGNED_SECRET = 'signed-source-secret-5e1f0c2b9a';

describe('switchboard mta (the real CLI against a stand-in of MTA’s API)', function () {
  this.timeout(60_000);
  const tmp = tempDir('mta-cli');
  // Like config.example.yaml: the mta source has no secret yet; "signed" already has one.
  const config = tmp.write(
    'config.yaml',
    `server: { host: 127.0.0.1, port: 0 }
sources:
  mta: { kind: mta, secret: "\${MTA_WEBHOOK_SECRET:-}", allowUnsigned: true }
  signed: { kind: mta, secret: "${SIGNED_SECRET}" }
store: { driver: sqlite, path: ${tmp.dir}/switchboard.db }
routes: []
`,
  );
  let api: MtaApiStub;
  let n = 0;
  const secretFile = () => join(tmp.dir, `secret-${++n}`);
  const mta = (args: string[], env: Record<string, string> = {}) =>
    runCli(['mta', ...args, '--config', config], {
      env: { MTA_API_KEY: api.apiKey, MTA_API_URL: api.url, SWITCHBOARD_MTA_BACKOFF_MS: '20', ...env },
    });

  beforeEach(async () => {
    api = await MtaApiStub.start();
  });
  afterEach(() => api.close());
  after(() => tmp.cleanup());

  it('runs every example of `mta --help` as written (no usage error), in a fresh folder', async () => {
    const help = await runCli(['mta', '--help']);
    const examples = help.stdout
      .split('examples:\n')[1]
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('MTA_API_KEY=... switchboard mta ') && !l.includes('--help'));
    expect(examples.map((e) => e.split(' ')[3])).to.deep.equal(['register', 'list', 'unregister', 'rotate']);
    for (const example of examples) {
      const args = example.replace('MTA_API_KEY=... switchboard mta ', '').split(' ');
      const r = await runCli(['mta', ...args, '--config', config], {
        cwd: tmp.dir,
        env: { MTA_API_KEY: api.apiKey, MTA_API_URL: api.url, SWITCHBOARD_MTA_BACKOFF_MS: '20' },
      });
      expect(r.stderr, example).to.not.match(/is required|usage:/);
      expect(r.code, `${example}\n${r.stderr}`).to.not.equal(2);
    }
  });

  describe('register', () => {
    it('registers all four events, one per event at <url>/<event>, with a new secret written mode 0600', async () => {
      const file = secretFile();
      const r = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(r.code, r.stderr).to.equal(0);
      const secret = readFileSync(file, 'utf8').trim();
      expect(secret).to.match(HEX128);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const stored = [...api.webhooks.values()];
      expect(stored.map((w) => [w.event, w.url]).sort()).to.deep.equal(
        EVENTS.map((e) => [e, `${BASE}/${e}`]),
      );
      for (const w of stored) {
        expect(w.secret).to.equal(secret);
        expect(w.retryOnError).to.equal(true);
      }
      for (const e of EVENTS) expect(r.stdout).to.match(new RegExp(`${e}\\s+registered`));
      expect(r.stdout).to.include('4 registered, 0 already registered.');
      expect(r.stdout).to.include('secret: $' + '{MTA_WEBHOOK_SECRET}');
      expect(r.stdout + r.stderr).to.not.include(secret);
    });

    it('registers nothing new when run again', async () => {
      const file = secretFile();
      expect((await mta(['register', '--url', BASE, '--secret-file', file])).code).to.equal(0);
      const again = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(again.code, again.stderr).to.equal(0);
      expect(api.webhooks.size).to.equal(4);
      expect(api.writes.filter((w) => w.method === 'POST')).to.have.length(4);
      expect(again.stdout).to.include('0 registered, 4 already registered.');
    });

    it('registers only the events given with --events, and the rest on a later run', async () => {
      const file = secretFile();
      const r = await mta([
        'register',
        '--url',
        BASE,
        '--events',
        'message-reply,delivery-status',
        '--secret-file',
        file,
      ]);
      expect(r.code, r.stderr).to.equal(0);
      expect([...api.webhooks.values()].map((w) => w.event).sort()).to.deep.equal([
        'delivery-status',
        'message-reply',
      ]);
      const rest = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(rest.code, rest.stderr).to.equal(0);
      expect(rest.stdout).to.include('2 registered, 2 already registered.');
      expect(new Set([...api.webhooks.values()].map((w) => w.secret)).size).to.equal(1);
    });

    it('rejects an unknown event name with a suggestion, before any request', async () => {
      const r = await mta(['register', '--url', BASE, '--events', 'delivery-staus', '--show-secret']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('did you mean delivery-status?');
      expect(api.requests).to.have.length(0);
    });

    it('--dry-run prints the requests it would make with the secret redacted and writes nothing', async () => {
      const file = secretFile();
      const r = await mta(['register', '--url', BASE, '--dry-run', '--secret-file', file]);
      expect(r.code, r.stderr).to.equal(0);
      expect(api.writes).to.have.length(0);
      expect(api.requests.length).to.be.greaterThan(0);
      expect(existsSync(file)).to.equal(false);
      const posts = r.stdout.split('\n').filter((l) => l.startsWith('POST '));
      expect(posts).to.have.length(4);
      expect(posts[0])
        .to.include(`${api.url}/webhooks`)
        .and.include('"secret":"<new secret: 128 hex characters, redacted>"');
    });

    it('uses the secret the config already has, and never prints it', async () => {
      const url = 'https://gw.example.com/webhooks/signed';
      const r = await mta(['register', '--url', url, '--events', 'message-reply', '--json']);
      expect(r.code, r.stderr).to.equal(0);
      expect([...api.webhooks.values()][0].secret).to.equal(SIGNED_SECRET);
      const out = JSON.parse(r.stdout);
      expect(out.secret).to.deep.equal({ origin: 'config' });
      expect(out.webhooks[0]).to.include({
        event: 'message-reply',
        action: 'registered',
        url: `${url}/message-reply`,
      });
      expect(r.stdout + r.stderr).to.not.include(SIGNED_SECRET);
    });

    it('asks where to put a new secret rather than print it (exit 2, nothing registered)', async () => {
      const r = await mta(['register', '--url', BASE]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('--secret-file FILE').and.include('--show-secret');
      expect(api.writes).to.have.length(0);
    });

    it('refuses to register more with a new secret beside registrations made with an unknown one', async () => {
      api.seed({ event: 'message-reply', url: `${BASE}/message-reply`, secret: 'x'.repeat(128) });
      const file = secretFile();
      const r = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('already registered at').and.include('switchboard mta unregister --url');
      expect(api.writes).to.have.length(0);
      expect(existsSync(file)).to.equal(false);
    });

    it('does not register twice when MTA registered but its answer was lost (500 after the write)', async () => {
      api.faults.push({ status: 500, when: (m) => m === 'POST', after: true });
      const r = await mta(['register', '--url', BASE, '--secret-file', secretFile()]);
      expect(r.code, r.stderr).to.equal(0);
      expect(api.webhooks.size).to.equal(4);
      expect(r.stderr).to.include('retry 1 of 3');
    });

    it('says what it registered before a failure, and a second run finishes with the same secret', async () => {
      let posts = 0;
      api.faults.push({
        status: 400,
        message: 'Webhook limit reached',
        when: (m) => m === 'POST' && ++posts === 3,
      });
      const file = secretFile();
      const r = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(r.code).to.equal(1);
      expect(r.stderr)
        .to.include('Webhook limit reached')
        .and.include('registered before this: delivery-status, message-reply');
      expect(api.webhooks.size).to.equal(2);
      const again = await mta(['register', '--url', BASE, '--secret-file', file]);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.include('2 registered, 2 already registered.');
      const secret = readFileSync(file, 'utf8').trim();
      expect([...api.webhooks.values()].every((w) => w.secret === secret)).to.equal(true);
    });

    it('--alert-email asks MTA to email that address on failures', async () => {
      const r = await mta([
        'register',
        '--url',
        BASE,
        '--events',
        'message-reply',
        '--alert-email',
        'ops@example.com',
        '--secret-file',
        secretFile(),
      ]);
      expect(r.code, r.stderr).to.equal(0);
      expect([...api.webhooks.values()][0]).to.include({
        alertEmail: 'ops@example.com',
        sendAlertEmail: true,
      });
    });
  });

  describe('the generated secret', () => {
    it('is 128 lowercase hex characters, different each run, shown only with --show-secret', async () => {
      const a = await mta(['register', '--url', BASE, '--json', '--secret-file', secretFile()]);
      expect(a.code, a.stderr).to.equal(0);
      const first = [...api.webhooks.values()][0].secret;
      expect(a.stdout + a.stderr).to.not.include(first);
      expect(JSON.parse(a.stdout).secret).to.not.have.property('value');
      await api.close();
      api = await MtaApiStub.start();
      const file = secretFile();
      const b = await mta(['register', '--url', BASE, '--json', '--show-secret', '--secret-file', file]);
      expect(b.code, b.stderr).to.equal(0);
      const second = [...api.webhooks.values()][0].secret;
      expect(second).to.match(HEX128);
      expect(first).to.match(HEX128);
      expect(second).to.not.equal(first);
      expect(JSON.parse(b.stdout).secret).to.deep.equal({ origin: 'generated', file, value: second });
    });
  });

  describe('list and unregister', () => {
    it('lists every registration, across pages, as a table and as JSON', async () => {
      for (const e of EVENTS) api.seed({ event: e, url: `${BASE}/${e}`, secret: 's'.repeat(20) });
      api.seed({ event: 'message-reply', url: 'https://other.example.com/hook', secret: 's'.repeat(20) });
      const r = await mta(['list']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.split('\n')[0]).to.match(/^ID\s+EVENT\s+URL/);
      for (const w of api.webhooks.values()) expect(r.stdout).to.include(`${w.id}  `).and.include(w.url);
      const j = await mta(['list', '--json', '--url', BASE]);
      const rows = JSON.parse(j.stdout) as Array<{ id: string; url: string }>;
      expect(rows).to.have.length(4);
      expect(rows.every((w) => w.url.startsWith(BASE))).to.equal(true);
      expect(j.stdout).to.not.include('s'.repeat(20));
    });

    it('unregisters by id', async () => {
      const a = api.seed({ event: 'message-reply', url: `${BASE}/message-reply`, secret: 'k'.repeat(16) });
      const b = api.seed({ event: 'message-send', url: `${BASE}/message-send`, secret: 'k'.repeat(16) });
      const r = await mta(['unregister', String(a.id)]);
      expect(r.code, r.stderr).to.equal(0);
      expect([...api.webhooks.keys()]).to.deep.equal([b.id]);
      expect(r.stdout).to.include('1 deleted.');
    });

    it('refuses an unknown id and deletes nothing', async () => {
      const a = api.seed({ event: 'message-reply', url: `${BASE}/message-reply`, secret: 'k'.repeat(16) });
      const r = await mta(['unregister', String(a.id), '999999']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('no webhook with id 999999');
      expect(api.webhooks.size).to.equal(1);
    });

    it('unregisters every registration under a URL', async () => {
      for (const e of EVENTS) api.seed({ event: e, url: `${BASE}/${e}`, secret: 'k'.repeat(16) });
      const other = api.seed({
        event: 'message-reply',
        url: 'https://gw.example.com/webhooks/mta2',
        secret: 'k'.repeat(16),
      });
      const r = await mta(['unregister', '--url', BASE]);
      expect(r.code, r.stderr).to.equal(0);
      expect([...api.webhooks.keys()]).to.deep.equal([other.id]);
      expect(r.stdout).to.include('4 deleted.');
    });
  });

  describe("MTA's errors", () => {
    it("shows a 400 with MTA's message, httpCode and requestId (exit 1)", async () => {
      api.faults.push({ status: 400, message: '"url" must be a valid uri', when: (m) => m === 'POST' });
      const r = await mta(['register', '--url', BASE, '--secret-file', secretFile()]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('MTA API POST /webhooks answered 400: "url" must be a valid uri');
      expect(r.stderr).to.match(/httpCode 400, requestId [0-9a-f-]{36}/);
      expect(r.stderr).to.not.include('retry');
    });

    it('explains a 401: the API key is wrong', async () => {
      const r = await mta(['list'], { MTA_API_KEY: 'not-the-key' });
      expect(r.code).to.equal(1);
      expect(r.stderr)
        .to.include('answered 401: Unauthorized')
        .and.include('The API key was refused: check MTA_API_KEY');
      expect(r.stderr).to.match(/requestId [0-9a-f-]{36}/);
      expect(r.stderr).to.not.include('not-the-key');
    });

    it('explains a 403: the key may not manage webhooks', async () => {
      const r = await mta(['unregister', '--url', BASE], { MTA_API_KEY: api.readOnlyKey });
      // Nothing registered: a read-only key can list, so this succeeds; a write shows the 403.
      expect(r.code).to.equal(0);
      api.seed({ event: 'message-reply', url: `${BASE}/message-reply`, secret: 'k'.repeat(16) });
      const w = await mta(['unregister', '--url', BASE], { MTA_API_KEY: api.readOnlyKey });
      expect(w.code).to.equal(1);
      expect(w.stderr).to.include('answered 403').and.include('may not manage webhooks');
    });

    it('retries a 500 and succeeds', async () => {
      api.faults.push({ status: 500, message: 'Internal Server Error', when: (m) => m === 'GET' });
      const r = await mta(['list', '--json']);
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal([]);
      expect(r.stderr).to.include('MTA API GET /webhooks failed; retry 1 of 3');
    });

    it('reports a network failure after retrying', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
      const port = (closed.address() as { port: number }).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const r = await mta(['list', '--api-url', `http://127.0.0.1:${port}/v3`]);
      expect(r.code).to.equal(1);
      expect(r.stderr)
        .to.include('retry 3 of 3')
        .and.include("could not reach MTA's API")
        .and.include('ECONNREFUSED');
    });

    it('refuses an API URL with a user name or password without echoing the password', async () => {
      for (const url of ['http://ops:pw-Secr3t-99@127.0.0.1:1/v3', 'ht!tp://ops:pw-Secr3t-99@x']) {
        const r = await mta(['list', '--api-url', url]);
        expect(r.code, url).to.equal(2);
        expect(r.stderr, url).to.match(/--api-url \/ MTA_API_URL/);
        expect(r.stderr + r.stdout, url).to.not.include('pw-Secr3t-99');
      }
      const bad = await mta(['register', '--url', 'http//ops:pw-Secr3t-99@gw.example.com/webhooks/mta']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include('is not a URL').and.not.include('pw-Secr3t-99');
      expect(api.requests).to.have.length(0);
    });

    it('never takes the API key from the command line, and says so without MTA_API_KEY', async () => {
      const argv = await mta(['list', '--api-key', 'abc']);
      expect(argv.code).to.equal(2);
      const none = await runCli(['mta', 'list', '--config', config], { env: { MTA_API_URL: api.url } });
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('set MTA_API_KEY');
      expect(api.requests).to.have.length(0);
    });
  });
});
