import { expect } from 'chai';
import { SCAN_LIMIT } from '../../src/admin/event-query.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { runCli } from '../helpers/gateway.ts';
import { tempDir } from '../helpers/tmp.ts';
import { request } from '../store/fixtures.ts';

/** A phone search over more events than one page looks through, by the real CLI on a real SQLite store. */
describe('switchboard events when a search stops at its bound', function () {
  this.timeout(120_000);
  const tmp = tempDir('events-scan');
  const db = `${tmp.dir}/sb.db`;
  let config: string;
  before(async () => {
    const store = openSqliteStore(db);
    await store.migrate();
    const now = new Date();
    for (let written = 0; written <= SCAN_LIMIT; written += 2_000) {
      const batch = Array.from({ length: 2_000 }, () => request(now, { to: [] }));
      await store.ingest({ batch, now });
    }
    await store.close();
    config = tmp.write('config.yaml', `store: { driver: sqlite, path: ${db} }\n`);
  });
  after(() => tmp.cleanup());

  const hint = `(status, phone and tag filters look through the newest ${SCAN_LIMIT.toLocaleString('en-US')} events that match the other filters; narrow with --since/--until to search older ones)`;

  it('says so under "no events match", and on stderr with --json, so [] does not read as "none" (found by an attack)', async () => {
    const text = await runCli(['events', '--config', config, '--phone', '9999']);
    expect([text.code, text.stdout.trim().split('\n')]).to.deep.equal([0, ['no events match', hint]]);
    const json = await runCli(['events', '--config', config, '--phone', '9999', '--json']);
    expect([json.code, JSON.parse(json.stdout), json.stderr.trim()]).to.deep.equal([0, [], hint]);
  });
});
