import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { loadMigrations } from '../../src/store/migrations.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { tempDir } from '../helpers/tmp.ts';

/**
 * `switchboard start` with store.path set to `dbPath`, until it exits by itself (`code`) or listens instead
 * (`code: 'started'`, then stopped). `said` is what the CLI printed itself, not the JSON log lines.
 */
async function startWith(tmp: ReturnType<typeof tempDir>, dbPath: string) {
  const config = testConfig(tmp.dir, '').replace(`path: ${tmp.dir}/switchboard.db`, `path: ${dbPath}`);
  const gw = new GatewayProcess(tmp.write('config.yaml', config));
  const closed = once(gw.child, 'close').then(([code]) => code as number);
  const started = gw
    .waitForLog((l) => l.msg === 'switchboard listening', 'the gateway to listen', 30_000)
    .then(
      () => 'started' as const,
      () => closed,
    );
  const code = await Promise.race([closed, started]);
  if (code === 'started') await gw.stop();
  const stderr = gw.raw.join('\n');
  // Said once, not wrapped again by every layer it crossed.
  expect(stderr.split('cannot open store.path').length, stderr).to.be.at.most(2);
  return { code, stderr, said: gw.raw.filter((l) => l.startsWith('switchboard')) };
}

describe('switchboard start with a SQLite file it cannot open', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('sqlite-open');
  });
  afterEach(() => tmp.cleanup());

  it('exits 1 naming the path and saying it is a directory when store.path is one', async () => {
    const dbPath = join(tmp.dir, 'data');
    mkdirSync(dbPath);
    const { code, said, stderr } = await startWith(tmp, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath).and.not.include('undefined');
    expect(said[0]).to.include('it is a directory, not a file');
    expect(said[0]).to.include(`point store.path at a file in it, e.g. ${join(dbPath, 'switchboard.db')}`);
  });

  it('exits 1 naming the path, the SQLite error and a remedy when the file is not a SQLite database', async () => {
    const dbPath = tmp.write('notes.db', 'these are notes, not a database\n'.repeat(200));
    const { code, said, stderr } = await startWith(tmp, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath).and.not.include('undefined');
    expect(said[0]).to.include('file is not a database (SQLITE_NOTADB)');
    expect(said[0]).to.include("point store.path at the gateway's database");
  });

  it('exits 1 naming the path and its problem when a file stands where a directory of the path should be', async () => {
    const file = tmp.write('plain-file', 'x');
    const dbPath = join(file, 'switchboard.db');
    const { code, said, stderr } = await startWith(tmp, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath);
    expect(said[0]).to.include(`${file} is a file, not a directory`);
    expect(said[0]).to.include('check the path and its permissions');
  });

  it('leaves the file that is not a database as it was', async () => {
    const text = 'these are notes, not a database\n'.repeat(200);
    const dbPath = tmp.write('notes.db', text);
    await startWith(tmp, dbPath);
    expect(readFileSync(dbPath, 'utf8')).to.equal(text);
  });
});

describe('a SQLite file written by a newer Switchboard', function () {
  this.timeout(60_000);
  const known = loadMigrations(new URL('../../src/store/sqlite/migrations/', import.meta.url)).length;
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;
  beforeEach(async () => {
    tmp = tempDir('sqlite-newer');
    dbPath = join(tmp.dir, 'switchboard.db');
    const store = openSqliteStore(dbPath);
    await store.migrate();
    await store.close();
    // What a later release would have done: one migration more, recorded.
    const raw = new Database(dbPath);
    raw.exec('CREATE TABLE from_the_future (x INTEGER)');
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(known + 1, 'from_the_future');
    raw.close();
  });
  afterEach(() => tmp.cleanup());

  const versions = () => {
    const raw = new Database(dbPath, { readonly: true });
    try {
      return raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    } finally {
      raw.close();
    }
  };

  it('is refused by switchboard start (exit 1), saying which schema it has and what to do', async () => {
    const { code, said, stderr } = await startWith(tmp, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.deep.equal([
      `switchboard start: store.path ${dbPath} was written by a newer Switchboard (schema ${known + 1}, this build knows ${known}): upgrade, or point store.path at another file`,
    ]);
    expect(versions()).to.have.length(known + 1);
  });

  it('is refused by the CLI commands too', async () => {
    writeFileSync(join(tmp.dir, 'config.yaml'), testConfig(tmp.dir, ''));
    const { code, stderr } = await runCli(['events', '--config', join(tmp.dir, 'config.yaml')]);
    expect(code, stderr).to.equal(1);
    expect(stderr).to.include(
      `store.path ${dbPath} was written by a newer Switchboard (schema ${known + 1}, this build knows ${known})`,
    );
  });
});
