import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { until, WebhookStream } from '../faults/stream.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';
import { tempDir } from '../helpers/tmp.ts';

const SECRET = 'shared-file-secret-0123456789';

describe('a SQLite file shared by a running gateway and the CLI', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let sink: Sink;
  let gw: GatewayProcess | undefined;
  let stream: WebhookStream | undefined;
  beforeEach(async () => {
    tmp = tempDir('sqlite-shared');
    sink = await Sink.start();
  });
  afterEach(async () => {
    await stream?.stop();
    await gw?.stop();
    await sink.stop();
    tmp.cleanup();
  });

  it('answers CLI commands while the gateway ingests and delivers, without "database is locked"', async () => {
    const config = tmp.write(
      'config.yaml',
      testConfig(
        tmp.dir,
        `destinations:\n  sink: { type: http, url: "${sink.url}/in" }\nroutes:\n  - to: [sink]\n`,
        {
          secret: SECRET,
        },
      ),
    );
    gw = await GatewayProcess.start(config);
    stream = new WebhookStream(gw.url, SECRET, 300).start();
    await until(() => stream!.ackedCount > 50, 'the first webhooks to be acknowledged', 30_000);
    const commands = [['events'], ['deliveries'], ['events', '--json'], ['destinations'], ['rejected']];
    for (const args of [...commands, ...commands]) {
      const { code, stdout, stderr } = await runCli([...args, '--config', config]);
      expect(stderr, `${args.join(' ')}: ${stderr}`).not.to.match(/locked|busy/i);
      expect(code, `${args.join(' ')}: ${stderr}`).to.equal(0);
      expect(stdout).not.to.equal('');
    }
    const figures = await stream.stop();
    stream = undefined;
    expect(figures.other.size, JSON.stringify([...figures.other])).to.equal(0);
  });

  it('lets a second gateway open the same file while the first ingests', async () => {
    const config = tmp.write('config.yaml', testConfig(tmp.dir, '', { secret: SECRET }));
    gw = await GatewayProcess.start(config);
    stream = new WebhookStream(gw.url, SECRET, 300).start();
    await until(() => stream!.ackedCount > 50, 'the first webhooks to be acknowledged', 30_000);
    // Same file, other ports: it opens and migrates the store beside the first, then runs.
    const second = await GatewayProcess.start(
      tmp.write('second.yaml', testConfig(tmp.dir, '', { secret: SECRET })),
    );
    try {
      expect(second.raw.join('\n')).not.to.match(/locked|busy/i);
    } finally {
      await second.stop();
    }
  });

  describe('while another process holds the write lock', () => {
    let holder: Database.Database;
    let config: string;
    beforeEach(async () => {
      config = tmp.write(
        'config.yaml',
        testConfig(
          tmp.dir,
          `destinations:\n  sink: { type: http, url: "${sink.url}/in" }\nroutes:\n  - to: [sink]\n`,
        ),
      );
      const store = openSqliteStore(join(tmp.dir, 'switchboard.db'));
      await store.migrate();
      await store.close();
      holder = new Database(join(tmp.dir, 'switchboard.db'));
      holder.exec('BEGIN IMMEDIATE');
    });
    afterEach(() => {
      holder.exec('ROLLBACK');
      holder.close();
    });

    it('still lists events: opening a current file takes no write lock', async () => {
      const { code, stderr } = await runCli(['events', '--config', config]);
      expect(stderr).to.equal('');
      expect(code).to.equal(0);
    });

    it('says which file is locked and that another process holds it when a command must write', async () => {
      const { code, stderr } = await runCli(['pause', 'sink', '--config', config]);
      expect(code, stderr).to.equal(1);
      expect(stderr).to.include(`store.path ${join(tmp.dir, 'switchboard.db')}`);
      expect(stderr).to.include('another process holds its write lock');
    });
  });
});
