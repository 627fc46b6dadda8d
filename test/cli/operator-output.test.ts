import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { attempt, request } from '../store/fixtures.ts';

/**
 * Control characters a hostile or careless writer could have stored: clear screen, colour, carriage return, bell,
 * and a right-to-left override that reorders the rest of the line (found by an attack: a provider's error body).
 */
const HOSTILE = '\u001b[2J\u001b[31mred\rover\u0007\u202eevil';

describe('operator output in the terminal (CLI as a child process)', function () {
  this.timeout(60_000);
  const tmp = tempDir('operator-output');
  const db = `${tmp.dir}/switchboard.db`;
  let config: string;
  let store: Store;
  let eventId: string;
  let deliveryId: string;
  let rejectedId: string;

  before(async () => {
    config = tmp.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${db} }
sources:
  mta: { kind: mta, secret: "s3cret-0123456789abcdef" }
plugins: { dirs: [${ROOT}/plugins] }
destinations:
  crm: { type: file, path: ${tmp.dir}/crm.jsonl }
routes:
  - name: main
    to: [crm]
`,
    );
    store = openSqliteStore(db);
    await store.migrate();
    const now = new Date();
    const req = request(now, { to: ['crm'] });
    await store.ingest({ batch: [req], now });
    eventId = req.event.id;
    const [claimed] = await store.claim({
      destination: 'crm',
      limit: 1,
      owner: 'test',
      leaseMs: 30_000,
      now,
    });
    deliveryId = claimed.id;
    await store.complete({
      deliveryId: claimed.id,
      owner: 'test',
      attempt: attempt(1, 'dead', now, `HTTP 503 ${HOSTILE}`),
      next: { state: 'dead' },
      now,
    });
    rejectedId = await store.addRejected({
      payload: {
        source: 'mta',
        urlEvent: null,
        receivedAt: now.toISOString(),
        body: `{"type":"message-reply",\n"message":"${HOSTILE}"}`,
        errors: [
          { path: 'replyId', message: 'is missing' },
          { path: 'message', message: `is not text ${HOSTILE}` },
        ],
      },
      now,
    });
    // Stored before the API refused control characters (or written straight into the store).
    await store.setPaused({
      destination: 'crm',
      paused: true,
      how: { by: `mallory${HOSTILE}`, comment: `why${HOSTILE}` },
      now,
    });
  });
  after(async () => {
    await store.close();
    tmp.cleanup();
  });

  const noControl = (text: string) => {
    for (const ch of ['\u001b', '\r', '\u0007', '\u202e'])
      expect(text.includes(ch), `${JSON.stringify(ch)} in ${JSON.stringify(text)}`).to.equal(false);
  };

  it('escapes control characters of stored text in destinations, deliveries and events output', async () => {
    for (const args of [
      ['destinations'],
      ['deliveries'],
      ['deliveries', deliveryId],
      ['events'],
      ['events', eventId],
    ]) {
      const r = await runCli([...args, '--config', config]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
      noControl(r.stdout);
    }
    const destinations = await runCli(['destinations', '--config', config]);
    expect(destinations.stdout).to.include('paused by mallory\\x1b[2J\\x1b[31mred\\rover\\x07');
    const deliveries = await runCli(['deliveries', '--config', config]);
    expect(deliveries.stdout).to.include('HTTP 503 \\x1b[2J');
    expect(destinations.stdout).to.include('\\x07\\u202eevil');
  });

  it('shows one event with its route verdicts, deliveries and attempts, and the JSON with --json', async () => {
    const view = await runCli(['events', eventId, '--config', config]);
    expect(view.code, view.stderr).to.equal(0);
    expect(view.stdout).to.match(new RegExp(`^event ${eventId}: message-reply from mta, received `));
    expect(view.stdout).to.match(/routes:\n {2}ROUTE +VERDICT +WHY\n/);
    expect(view.stdout).to.include(`delivery ${deliveryId}: dead (crm, route main, event ${eventId})`);
    expect(view.stdout).to.match(/#1 .* dead +\[503\] HTTP 503/);
    expect(() => JSON.parse(view.stdout)).to.throw();
    const json = await runCli(['events', eventId, '--json', '--config', config]);
    expect(json.code, json.stderr).to.equal(0);
    const detail = JSON.parse(json.stdout) as { event: { id: string }; deliveries: Array<{ id: string }> };
    expect(detail.event.id).to.equal(eventId);
    expect(detail.deliveries.map((d) => d.id)).to.deep.equal([deliveryId]);
  });

  it('shows one rejected payload with each decode error and the body as received, escaped; --json prints the record', async () => {
    const view = await runCli(['rejected', rejectedId, '--config', config]);
    expect(view.code, view.stderr).to.equal(0);
    noControl(view.stdout);
    expect(view.stdout).to.match(new RegExp(`^rejected payload ${rejectedId}: from source mta, received `));
    expect(view.stdout).to.include(
      'does not decode:\n  replyId: is missing\n  message: is not text \\x1b[2J',
    );
    expect(view.stdout).to.match(
      /body \(\d+ bytes, as received\):\n {2}\{"type":"message-reply",\n {2}"message":"\\x1b/,
    );
    expect(() => JSON.parse(view.stdout)).to.throw();
    const json = await runCli(['rejected', rejectedId, '--json', '--config', config]);
    expect(json.code, json.stderr).to.equal(0);
    const record = JSON.parse(json.stdout) as { id: string; body: string; errors: unknown[] };
    expect(record.id).to.equal(rejectedId);
    expect(record.body).to.include(HOSTILE);
    expect(record.errors).to.have.length(2);
  });

  it('check --json prints one JSON document for a usage error too, and exits 2', async () => {
    const r = await runCli(['check', '--json', '--bogus', '--config', config]);
    expect(r.code).to.equal(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ message: string }> };
    expect(doc.ok).to.equal(false);
    expect(doc.problems[0].message).to.match(/bogus/);
  });

  it('--url on the webhook port, or on a port nothing can reach, says so and where the admin API is', async () => {
    // A stand-in for Switchboard's webhook port: its 404 is the one the public app answers.
    const pub = createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no route for ${req.method} ${req.url?.split('?')[0]}` }));
    });
    await new Promise<void>((resolve) => pub.listen(0, '127.0.0.1', resolve));
    const env = { SWITCHBOARD_ADMIN_TOKEN: 'whatever-token' };
    try {
      const url = `http://127.0.0.1:${(pub.address() as AddressInfo).port}`;
      const wrongPort = await runCli(['deliveries', '--url', url], { env });
      expect(wrongPort.code).to.equal(1);
      expect(wrongPort.stderr).to.match(/looks like the webhook port/);
      expect(wrongPort.stderr).to.include('default http://127.0.0.1:9091');
    } finally {
      await new Promise((resolve) => pub.close(resolve));
    }
    const blocked = await runCli(['deliveries', '--url', 'http://127.0.0.1:1'], { env });
    expect(blocked.code).to.equal(1);
    expect(blocked.stderr).to.include('could not reach the admin API at http://127.0.0.1:1/api/deliveries');
    expect(blocked.stderr).to.match(/blocked port/);
    expect(blocked.stderr).not.to.match(/Error: bad port/);
    expect(blocked.stderr.match(/admin\.listen/g), 'said once').to.have.length(1);
    // No scheme: `localhost:9091` parses as a URL of scheme "localhost:" (found by an attack: a bare Invalid URL, exit 1).
    const bare = await runCli(['deliveries', '--url', 'localhost:34212'], { env });
    expect(bare.code).to.equal(2);
    expect(bare.stderr).to.include(
      '--url "localhost:34212" must start with http:// or https:// (e.g. http://localhost:34212)',
    );
  });

  it('never prints the password of a --url or $SWITCHBOARD_URL with user:password in it', async () => {
    // A port nothing listens on any more: the admin API cannot be reached there.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((resolve) => gone.close(resolve));
    const password = 'pw-Leaky-9Qz7Xk';
    const env = { SWITCHBOARD_ADMIN_TOKEN: 'whatever-token' };
    const runs = [
      await runCli(['destinations', '--url', `http://user:${password}@127.0.0.1:${port}`], { env }),
      await runCli(['deliveries'], {
        env: { ...env, SWITCHBOARD_URL: `http://user:${password}@127.0.0.1:${port}/` },
      }),
      await runCli(['events', '--url', `http://user:${password}@127.0.0.1:99999`], { env }),
    ];
    for (const r of runs) {
      expect(r.code, r.stderr).to.not.equal(0);
      expect(`${r.stdout}${r.stderr}`).not.to.include(password);
    }
    expect(runs[0].stderr).to.include(
      `--url http://127.0.0.1:${port} must not include a user name or password`,
    );
    expect(runs[1].stderr).to.include(`http://127.0.0.1:${port} must not include a user name or password`);
    expect(runs[2].stderr).to.include('--url "http://***@127.0.0.1:99999" is not a URL');
  });

  it('never prints an admin token a header cannot carry (a line break, a character outside Latin-1), and says what is wrong (found by an attack)', async () => {
    for (const token of ['adm1n-first-half\nadm1n-second-half', 'adm1n-tökén-ключ-0123456789']) {
      const r = await runCli(['events', '--url', 'http://127.0.0.1:65000'], {
        env: { SWITCHBOARD_ADMIN_TOKEN: token },
      });
      expect(r.code, r.stderr).to.equal(2);
      const out = `${r.stdout}${r.stderr}`;
      for (const piece of token.split('\n')) {
        expect(out).not.to.include(piece);
        expect(out).not.to.include(encodeURIComponent(piece));
      }
      expect(r.stderr).to.include(
        '$SWITCHBOARD_ADMIN_TOKEN holds a line break, a control character or a character outside Latin-1',
      );
    }
  });
});
