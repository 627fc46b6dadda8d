import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { tempDir } from '../helpers/tmp.ts';

/** `switchboard start` with store.path set to `dbPath`; it must not start, so it exits by itself. */
async function startWith(dir: string, dbPath: string) {
  const config = testConfig(dir, '').replace(`path: ${dir}/switchboard.db`, `path: ${dbPath}`);
  writeFileSync(join(dir, 'config.yaml'), config);
  const result = await runCli(['start', '--config', join(dir, 'config.yaml')]);
  // The line the user reads: the CLI's own, not the JSON log lines before it.
  const said = result.stderr.split('\n').filter((l) => l.startsWith('switchboard'));
  // Said once, not wrapped again by every layer it crossed.
  expect(result.stderr.split('cannot open store.path')).to.have.length(2);
  return { ...result, said };
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
    const { code, said, stderr } = await startWith(tmp.dir, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath).and.not.include('undefined');
    expect(said[0]).to.include('it is a directory, not a file');
    expect(said[0]).to.include(`point store.path at a file in it, e.g. ${join(dbPath, 'switchboard.db')}`);
  });

  it('exits 1 naming the path, the SQLite error and a remedy when the file is not a SQLite database', async () => {
    const dbPath = tmp.write('notes.db', 'these are notes, not a database\n'.repeat(200));
    const { code, said, stderr } = await startWith(tmp.dir, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath).and.not.include('undefined');
    expect(said[0]).to.include('file is not a database (SQLITE_NOTADB)');
    expect(said[0]).to.include("point store.path at the gateway's database");
  });

  it('exits 1 naming the path and its problem when a file stands where a directory of the path should be', async () => {
    const file = tmp.write('plain-file', 'x');
    const dbPath = join(file, 'switchboard.db');
    const { code, said, stderr } = await startWith(tmp.dir, dbPath);
    expect(code, stderr).to.equal(1);
    expect(said, stderr).to.have.length(1);
    expect(said[0]).to.include(dbPath);
    expect(said[0]).to.include(`${file} is a file, not a directory`);
    expect(said[0]).to.include('check the path and its permissions');
  });

  it('leaves the file that is not a database as it was', async () => {
    const text = 'these are notes, not a database\n'.repeat(200);
    const dbPath = tmp.write('notes.db', text);
    await startWith(tmp.dir, dbPath);
    expect(readFileSync(dbPath, 'utf8')).to.equal(text);
  });
});
