import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { COMMANDS } from '../../src/cli/main.ts';
import { sign } from '../../src/ingress/signature.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { PG_URL } from '../scale/pg.ts';
import { attempt, request } from '../store/fixtures.ts';

/**
 * Operator commands in an incident, as child processes: the config around the store is broken (a secret unset,
 * a route naming a destination that does not exist), and they work all the same.
 */
/**
 * Claims the next due delivery of `destination` and ends it `outcome` (dead or delivered) at `now`, as a
 * gateway's worker would; answers its id.
 */
async function endNext(
  store: Store,
  destination: string,
  outcome: 'dead' | 'delivered',
  now = new Date(),
  reason = 'HTTP 503',
): Promise<string> {
  const [d] = await store.claim({ destination, limit: 1, owner: 'test', leaseMs: 30_000, now });
  await store.complete({
    deliveryId: d.id,
    owner: 'test',
    attempt: attempt(d.attempts + 1, outcome, now, outcome === 'dead' ? reason : undefined),
    next: { state: outcome },
    now,
  });
  return d.id;
}

describe('operator commands on the store alone (CLI as a child process)', function () {
  this.timeout(60_000);
  const tmp = tempDir('operator');
  const db = `${tmp.dir}/switchboard.db`;
  const brokenConfig = (destinations: string) =>
    tmp.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${db} }
sources:
  mta: { kind: mta, secret: "\${MTA_WEBHOOK_SECRET}" }
plugins: { dirs: [${ROOT}/plugins] }
destinations:
${destinations}
routes:
  - name: main
    to: [ops-slack, nowhere]
`,
    );
  const withOps = `  ops-slack: { type: slack, token: "\${SLACK_BOT_TOKEN}", channel: "#ops" }
  audit: { type: file, path: ${tmp.dir}/audit.jsonl }`;
  let config: string;
  let store: Store;
  let deadId: string;

  before(async () => {
    config = brokenConfig(withOps);
    store = openSqliteStore(db);
    await store.migrate();
    const now = new Date();
    await store.ingest({ batch: [request(now, { to: ['ops-slack', 'audit'] })], now });
    deadId = await endNext(store, 'ops-slack', 'dead', now);
  });
  after(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('the config really is invalid: check refuses it', async () => {
    const r = await runCli(['check', '--config', config]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/SLACK_BOT_TOKEN is not set/);
    expect(r.stderr).to.match(/nowhere/);
  });

  it('deliveries, events, destinations and rejected still answer from the store', async () => {
    const deliveries = await runCli(['deliveries', '--config', config, '--state', 'dead', '--json']);
    expect(deliveries.code, deliveries.stderr).to.equal(0);
    expect(JSON.parse(deliveries.stdout).map((d: { id: string }) => d.id)).to.deep.equal([deadId]);
    const events = await runCli(['events', '--config', config, '--destination', 'ops-slack']);
    expect(events.code, events.stderr).to.equal(0);
    expect(events.stdout).to.match(/message-reply/);
    const byPhoneAndTag = await runCli([
      'events',
      '--config',
      config,
      '--phone',
      '0100',
      '--tag',
      'campaign=spring',
      '--source',
      'mta',
    ]);
    expect(byPhoneAndTag.code, byPhoneAndTag.stderr).to.equal(0);
    expect(byPhoneAndTag.stdout).to.match(/message-reply/);
    const older = await runCli(['events', '--config', config, '--until', '1h', '--tag', 'campaign=spring']);
    expect([older.code, older.stdout.trim().split('\n')[0]]).to.deep.equal([0, 'no events match']);
    const badTag = await runCli(['events', '--config', config, '--tag', 'campaign']);
    expect([badTag.code, badTag.stderr.split('\n')[0]]).to.deep.equal([
      2,
      'switchboard events: --tag: write it as key=value, e.g. campaign=spring-sale',
    ]);
    const destinations = await runCli(['destinations', '--config', config, '--json']);
    expect(destinations.code, destinations.stderr).to.equal(0);
    const ops = JSON.parse(destinations.stdout).destinations.find(
      (d: { name: string }) => d.name === 'ops-slack',
    );
    expect(ops).to.include({ type: 'slack', state: 'active', failed1h: 1 });
    expect(ops.lastError.reason).to.equal('HTTP 503');
    const rejected = await runCli(['rejected', '--config', config]);
    expect(rejected.code, rejected.stderr).to.equal(0);
    expect(rejected.stdout).to.match(/no rejected payloads/);
  });

  it('sign needs only the sources section', async () => {
    const body = tmp.write('body.json', '{"hello":"world"}');
    const r = await runCli(['sign', '--config', config, body], {
      env: { MTA_WEBHOOK_SECRET: 'sign-me-0123456789' },
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(sign('sign-me-0123456789', Buffer.from('{"hello":"world"}')));
  });

  it('replays a dead delivery and numbers its next attempt after the last one', async () => {
    const r = await runCli(['replay', '--config', config, deadId]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/replayed 1 delivery/);
    // What a running gateway does next: claim it and send it (attempt 2, the budget fresh).
    const [again] = await store.claim({
      destination: 'ops-slack',
      limit: 1,
      owner: 'test',
      leaseMs: 30_000,
      now: new Date(),
    });
    expect(again.attempts).to.equal(0);
    await store.complete({
      deliveryId: again.id,
      owner: 'test',
      attempt: attempt(1, 'delivered', new Date()),
      next: { state: 'delivered' },
      now: new Date(),
    });
    const shown = await runCli(['deliveries', '--config', config, deadId]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/delivery \S+: delivered/);
    expect(shown.stdout).to.match(/#1 .* dead .*HTTP 503/);
    expect(shown.stdout).to.match(/#2 .* delivered/);
  });

  it('replays a delivered delivery only when asked to', async () => {
    const refused = await runCli(['replay', '--config', config, deadId]);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.match(/replayed 0 deliveries/);
    expect(refused.stderr).to.include(`${deadId}: delivered; add --delivered to send it again`);
    const again = await runCli(['replay', '--config', config, '--delivered', deadId]);
    expect(again.code, again.stderr).to.equal(0);
    expect((await store.getDelivery({ id: deadId }))?.state).to.equal('pending');
    const [claimed] = await store.claim({
      destination: 'ops-slack',
      limit: 1,
      owner: 'test',
      leaseMs: 30_000,
      now: new Date(),
    });
    await store.complete({
      deliveryId: claimed.id,
      owner: 'test',
      attempt: attempt(1, 'delivered', new Date()),
      next: { state: 'delivered' },
      now: new Date(),
    });
    expect((await store.getDelivery({ id: deadId }))?.attemptLog.map((a) => a.number)).to.deep.equal([
      1, 2, 3,
    ]);
  });

  it('pauses with a comment and an expiry, lists who and why, and the pause lifts by itself', async () => {
    // Long enough for the listings below to run first (each is a Node process start), short enough to wait out.
    const until = new Date(Date.now() + 15_000).toISOString();
    const p = await runCli([
      'pause',
      '--config',
      config,
      'ops-slack',
      '--until',
      until,
      '--comment',
      'Slack incident INC-42',
      '--by',
      'ana',
    ]);
    expect(p.code, p.stderr).to.equal(0);
    expect(p.stdout).to.match(/paused destination ops-slack: .* lifts by itself/);
    const listed = await runCli(['destinations', '--config', config]);
    expect(listed.stdout).to.match(/ops-slack\s+slack\s+paused until/);
    expect(listed.stdout).to.include('ops-slack: paused by ana since');
    expect(listed.stdout).to.include('"Slack incident INC-42"');
    const json = JSON.parse((await runCli(['destinations', '--config', config, '--json'])).stdout);
    expect(json.destinations[0].pause).to.include({
      by: 'ana',
      comment: 'Slack incident INC-42',
      expiresAt: until,
    });
    // No clock to fake in a child process: wait for the state, assert nothing about how long it took.
    for (;;) {
      const now = JSON.parse((await runCli(['destinations', '--config', config, '--json'])).stdout);
      if (now.destinations[0].state === 'active') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await store.listPauses({ now: new Date() })).to.deep.equal([]);
  });

  it('clears a pause on a destination removed from the config', async () => {
    expect((await runCli(['pause', '--config', config, 'ops-slack', '--by', 'ana'])).code).to.equal(0);
    const removedConfig = brokenConfig(`  audit: { type: file, path: ${tmp.dir}/audit.jsonl }`);
    const listed = JSON.parse((await runCli(['destinations', '--config', removedConfig, '--json'])).stdout);
    expect(listed.destinations.map((d: { name: string; state: string }) => [d.name, d.state])).to.deep.equal([
      ['audit', 'active'],
      ['ops-slack', 'removed'],
    ]);
    const resumed = await runCli(['resume', '--config', removedConfig, 'ops-slack']);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.match(/resumed destination ops-slack/);
    expect(await store.listPauses({ now: new Date() })).to.deep.equal([]);
    const again = await runCli(['resume', '--config', config, 'audit']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout.trim()).to.equal('destination audit was not paused; nothing to resume');
    config = brokenConfig(withOps);
  });

  it('says a replay for a destination no longer in the config waits for it, instead of only "replayed" (found by an on-call attack)', async () => {
    const now = new Date();
    await store.ingest({ batch: [request(now, { to: ['retired'] })], now });
    await endNext(store, 'retired', 'dead', now, 'HTTP 410');
    const r = await runCli(['replay', '--config', config, '--dead', '--destination', 'retired']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/replayed 1 delivery/);
    expect(r.stderr.trim()).to.equal(
      'note: retired is not in the config: its 1 queued delivery waits until it is added back (switchboard deliveries --destination retired)',
    );
    await endNext(store, 'retired', 'dead');
    const json = await runCli(['replay', '--config', config, '--dead', '--destination', 'retired', '--json']);
    expect(JSON.parse(json.stdout)).to.deep.equal({ replayed: 1, matched: 1, notConfigured: ['retired'] });
    await endNext(store, 'retired', 'dead');
  });

  it('replays only the dead deliveries of an outage window with --since and --until', async () => {
    const died = async (at: Date) => {
      await store.ingest({ batch: [request(at, { to: ['window'] })], now: at });
      return endNext(store, 'window', 'dead', at);
    };
    const hour = 3_600_000;
    const before = await died(new Date(Date.now() - 5 * hour));
    const during = await died(new Date(Date.now() - 3 * hour));
    const after = await died(new Date(Date.now() - 0.5 * hour));
    const window = ['--config', config, '--destination', 'window', '--since', '4h', '--until', '1h'];
    const listed = await runCli(['deliveries', ...window, '--json']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout).map((d: { id: string }) => d.id)).to.deep.equal([during]);
    const r = await runCli(['replay', '--dead', ...window]);
    expect(r.stdout, r.stderr).to.match(/replayed 1 delivery/);
    const states = await Promise.all(
      [before, during, after].map(async (id) => (await store.getDelivery({ id }))?.state),
    );
    expect(states).to.deep.equal(['dead', 'pending', 'dead']);
    await endNext(store, 'window', 'delivered');
  });

  it('marks a pending delivery held by a pause, so it does not look like any other pending one', async () => {
    expect((await runCli(['pause', '--config', config, 'audit', '--by', 'bo'])).code).to.equal(0);
    const held = await runCli(['deliveries', '--config', config, '--destination', 'audit']);
    expect(held.stdout).to.match(/pending \(held: destination paused by bo\)\s+audit/);
    expect((await runCli(['resume', '--config', config, 'audit'])).code).to.equal(0);
    const free = await runCli(['deliveries', '--config', config, '--destination', 'audit']);
    expect(free.stdout).to.match(/pending\s+audit/);
  });

  it('says when a pending delivery is tried next: due now, or in how long after a failed try (found by an on-call attack)', async () => {
    const now = new Date();
    await store.ingest({ batch: [request(now, { to: ['ops-slack'] })], now });
    const [one] = await store.claim({
      destination: 'ops-slack',
      limit: 1,
      owner: 'test',
      leaseMs: 30_000,
      now,
    });
    await store.complete({
      deliveryId: one.id,
      owner: 'test',
      attempt: attempt(1, 'retry', now, 'HTTP 503'),
      next: { state: 'pending', nextAt: new Date(now.getTime() + 300_000) },
      now,
    });
    // The NEXT cell (and what follows) of the first pending delivery of a destination, as printed.
    const next = async (destination: string) => {
      const r = await runCli([
        'deliveries',
        '--config',
        config,
        '--destination',
        destination,
        '--state',
        'pending',
      ]);
      expect(r.code, r.stderr).to.equal(0);
      const [header, row] = r.stdout.split('\n');
      expect(header).to.match(/UPDATED\s+NEXT\s+LAST ERROR/);
      return row.slice(header.indexOf('NEXT'));
    };
    expect(await next('ops-slack')).to.match(/^in [45]m\s+HTTP 503/);
    // Held by a pause, it goes when the pause ends, whatever its own time says.
    expect((await runCli(['pause', '--config', config, 'ops-slack'])).code).to.equal(0);
    expect(await next('ops-slack')).to.match(/^held\s+HTTP 503/);
    expect((await runCli(['resume', '--config', config, 'ops-slack'])).code).to.equal(0);
    await endNext(store, 'ops-slack', 'delivered', new Date(now.getTime() + 300_000));
    expect(await next('audit')).to.match(/^due/);
  });

  it('refuses a bad filter as a usage error (exit 2) with the nearest name', async () => {
    const state = await runCli(['deliveries', '--config', config, '--state', 'UNDELIVERD']);
    expect(state.code).to.equal(2);
    expect(state.stderr).to.match(/"UNDELIVERD" is not a delivery state \(did you mean delivered\?\)/);
    const dest = await runCli(['deliveries', '--config', config, '--destination', 'ops-slak']);
    expect(dest.code).to.equal(2);
    expect(dest.stderr).to.match(/did you mean ops-slack\?/);
    const source = await runCli(['events', '--config', config, '--source', 'mtaa']);
    expect(source.code).to.equal(2);
    expect(source.stderr).to.match(/"mtaa" is not a configured source \(did you mean mta\?\)/);
    const status = await runCli(['events', '--config', config, '--status', 'UNDELIVERD']);
    expect(status.code).to.equal(2);
    expect(status.stderr).to.match(/did you mean UNDELIVERED\?/);
    const option = await runCli(['deliveries', '--config', config, '--stat', 'dead']);
    expect(option.code).to.equal(2);
    expect(option.stderr).to.match(/unknown option --stat \(did you mean --state\?\)/);
    // A negative value reaches the option's own range check (parseArgs alone calls it ambiguous).
    const limit = await runCli(['events', '--config', config, '--limit', '-1']);
    expect(limit.code).to.equal(2);
    expect(limit.stderr).to.match(/--limit must be a whole number from 1 to 500, not "-1"/);
    const notation = await runCli(['events', '--config', config, '--limit', '1e2']);
    expect(notation.code).to.equal(2);
    expect(notation.stderr).to.match(/--limit must be a whole number from 1 to 500, not "1e2"/);
    const command = await runCli(['delivries', '--config', config]);
    expect(command.code).to.equal(2);
    expect(command.stderr).to.match(/unknown command "delivries" \(did you mean deliveries\?\)/);
  });

  it('takes a status or type filter spelt as routes take it: any case, a status code, _ for - (found by a newcomer trial)', async () => {
    const now = new Date();
    const req = request(now, { to: ['audit'], type: 'delivery-status', status: 'UNDELIVERED' });
    await store.ingest({ batch: [req], now });
    for (const filter of [
      ['--status', 'UNDELIVERED'],
      ['--status', 'undelivered'],
      ['--status', '9'],
      ['--type', 'DELIVERY_STATUS'],
    ]) {
      const r = await runCli(['events', ...filter, '--json', '--config', config]);
      expect(r.code, `${filter.join(' ')}: ${r.stderr}`).to.equal(0);
      const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((e) => e.id);
      expect(ids, filter.join(' ')).to.deep.equal([req.event.id]);
    }
    const code = await runCli(['events', '--status', '99', '--json', '--config', config]);
    expect(code.code, code.stderr).to.equal(0); // UNKNOWN_99: a code MTA may add later
    const bad = await runCli(['events', '--status', 'UNDELIVERD', '--config', config]);
    expect(bad.code).to.equal(2);
  });

  it('refuses an argument a command does not take and an option given twice, instead of ignoring them (found by an attack)', async () => {
    for (const [args, message] of [
      [['check', 'extra-arg'], 'unexpected argument "extra-arg" (it takes options only)'],
      [['destinations', 'extra'], 'unexpected argument "extra" (it takes options only)'],
      [['events', '--since', '1h', '--since', '2h'], '--since is given more than once: give it once'],
      [
        ['deliveries', '--state', 'dead', '--state', 'failed'],
        '--state is given more than once: give it once',
      ],
    ] as const) {
      const r = await runCli([...args, '--config', config]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.include(message);
    }
  });

  it('refuses a SQLite store that does not exist instead of making an empty one and answering "nothing" (found by an attack)', async () => {
    const elsewhere = tempDir('operator-elsewhere');
    try {
      const relative = elsewhere.write(
        'config.yaml',
        'store: { driver: sqlite, path: ./data/switchboard.db }\nsources:\n  mta: { kind: mta, allowUnsigned: true }\n',
      );
      for (const args of [['events'], ['deliveries'], ['replay', '--dead'], ['pause', 'audit']]) {
        const r = await runCli([...args, '--config', relative], { cwd: elsewhere.dir });
        expect(r.code, `${args[0]}: ${r.stdout}`).to.equal(1);
        expect(r.stderr.trim(), args[0]).to.equal(
          `switchboard ${args[0]}: no store at ${elsewhere.dir}/data/switchboard.db: the gateway has not written one there (store.path ./data/switchboard.db is read from the working directory, ${elsewhere.dir}). Run the command where the gateway runs, with its --config, or ask the running gateway with --url`,
        );
      }
      expect(existsSync(`${elsewhere.dir}/data`)).to.equal(false);
      // Where the store's directory is, a pause may come before the gateway's first start.
      mkdirSync(`${elsewhere.dir}/data`);
      const early = await runCli(['pause', 'audit', '--config', relative], { cwd: elsewhere.dir });
      expect(early.stderr).to.not.match(/no store at/);
      expect(existsSync(`${elsewhere.dir}/data/switchboard.db`)).to.equal(true);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('reads the store section of a file whose YAML is broken after it, with a warning (an edit the gateway refused; found by an attack)', async () => {
    const broken = tmp.write('broken-tail.yaml', `${readFileSync(config, 'utf8')}\noops: [\n`);
    const r = await runCli(['events', '--config', broken]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/message-reply/);
    expect(r.stderr).to.match(
      /^warning: \S+broken-tail\.yaml:\d+:\d+: 1 YAML syntax error\(s\) outside the store section \(the running gateway refuses this file; `switchboard check` says where\): read the store section all the same/,
    );
    // Broken above the store section, what the section belongs to is in doubt: refused, located.
    const above = tmp.write('broken-head.yaml', `oops: [\n${readFileSync(config, 'utf8')}`);
    const refused = await runCli(['events', '--config', above]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/broken-head\.yaml:\d+:\d+/);
  });

  it('names the PostgreSQL store it could not open and what to check, never its password (found by an attack)', async () => {
    const where = (url: string) =>
      tmp.write(
        `pg-${Buffer.from(url).toString('hex').slice(-12)}.yaml`,
        `store: { driver: postgres, url: "${url}" }\nsources:\n  mta: { kind: mta, allowUnsigned: true }\n`,
      );
    const refused = new URL(PG_URL);
    refused.port = '1';
    refused.password = 'pg-password-0123456789';
    const missing = new URL(PG_URL);
    missing.pathname = '/no_such_database_for_operator_test';
    for (const [url, shown, cause] of [
      [refused.toString(), `PostgreSQL at ${refused.hostname}:1${refused.pathname}`, /ECONNREFUSED/],
      [
        missing.toString(),
        `PostgreSQL at ${missing.host}/no_such_database_for_operator_test`,
        /does not exist/,
      ],
    ] as const) {
      for (const args of [['deliveries'], ['pause', 'audit']]) {
        const r = await runCli([...args, '--config', where(url)]);
        expect(r.code, r.stderr).to.equal(1);
        const [line] = r.stderr.split('\n');
        expect(line).to.match(cause);
        expect(line).to.include(
          `switchboard ${args[0]}: cannot open the event store (${shown}, store.url): `,
        );
        expect(line).to.match(
          /: check that PostgreSQL is up there and that store\.url names the right host, database and user, or ask the running gateway with --url$/,
        );
        expect(r.stderr).to.not.include('pg-password-0123456789');
      }
    }
  });

  it('names every problem of a bad store section, and only those', async () => {
    const bad = tmp.write(
      'bad-store.yaml',
      'store: { driver: sqlit }\ndestinations: { x: { type: nope } }\n',
    );
    const r = await runCli(['deliveries', '--config', bad]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/bad-store\.yaml:1:\d+ store\.driver: .*did you mean sqlite/);
    expect(r.stderr).to.not.match(/nope/);
  });
});

describe('CLI help, version and check --json (child processes)', function () {
  this.timeout(60_000);

  it('--help of each command lists every option with what it does', async () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      const r = await runCli([name, '--help']);
      expect(r.code, `${name}: ${r.stderr}`).to.equal(0);
      expect(r.stdout, name).to.match(new RegExp(`^usage: switchboard ${name}\\b`));
      for (const option of [...Object.keys(command.options), 'config', 'help']) {
        const line = r.stdout
          .split('\n')
          .find((l) => new RegExp(`--${option}\\b`).test(l) && l.startsWith('  '));
        expect(line, `${name} --help lists --${option}`).to.not.equal(undefined);
        expect(
          line!.replace(/^\s+(-\w, )?--\S+( \S+)?\s*/, ''),
          `${name} --${option} has a description`,
        ).to.not.equal('');
      }
    }
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.match(/^switchboard \d+\.\d+\.\d+$/);
  });

  it('check --json prints {"ok": false, "problems": [...]} with file:line:column for an invalid config', async () => {
    const tmp = tempDir('check-json');
    try {
      const file = tmp.write(
        'config.yaml',
        'server: { port: "80a" }\nstore: { driver: sqlite, path: x.db }\n',
      );
      const r = await runCli(['check', '--json', '--config', file]);
      expect(r.code).to.equal(1);
      const answer = JSON.parse(r.stdout);
      expect(answer.ok).to.equal(false);
      expect(answer.problems[0]).to.include({ file, line: 1, path: 'server.port' });
      const missing = JSON.parse(
        (await runCli(['check', '--json', '--config', `${tmp.dir}/none.yaml`])).stdout,
      );
      expect(missing).to.deep.include({ ok: false });
      expect(missing.problems[0].message).to.equal('config file not found');
    } finally {
      tmp.cleanup();
    }
  });

  it('keeps a plugin syntax error at its file:line:column', async () => {
    const tmp = tempDir('plugin-error');
    try {
      mkdirSync(`${tmp.dir}/plugins`);
      tmp.write('plugins/broken.ts', 'export default {\n  type: "broken",\n  config: ,\n};\n');
      const file = tmp.write(
        'config.yaml',
        `store: { driver: sqlite, path: ${tmp.dir}/x.db }\nplugins: { dirs: [./plugins] }\nsources: { mta: { kind: mta, allowUnsigned: true } }\n`,
      );
      const r = await runCli(['check', '--json', '--config', file]);
      const messages = JSON.parse(r.stdout).problems.map((p: { message: string }) => p.message);
      expect(messages.join('\n')).to.match(/plugins\/broken\.ts:3:\d+: failed to load: Unexpected ","/);
    } finally {
      tmp.cleanup();
    }
  });
});
