import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeDirectory } from '../../src/make-directory.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

describe('makeDirectory (mkdir -p that cannot spin)', () => {
  it('makes every missing level, and is a no-op when the directory exists', () => {
    const tmp = tempDir('mkdir');
    try {
      const deep = join(tmp.dir, 'a', 'b', 'c');
      makeDirectory(deep);
      expect(existsSync(deep)).to.equal(true);
      makeDirectory(deep);
      writeFileSync(join(tmp.dir, 'file'), '');
      expect(() => makeDirectory(join(tmp.dir, 'file'))).to.throw(/EEXIST/);
      expect(() => makeDirectory(join(tmp.dir, 'file', 'sub'))).to.throw(/ENOTDIR/);
    } finally {
      tmp.cleanup();
    }
  });

  it('throws ENOENT where Node 20 recursive mkdir spins forever (under /proc), and the SQLite store fails to open instead of hanging the start (found by an attack)', function () {
    this.timeout(30_000);
    expect(() => makeDirectory('/proc/switchboard-nope/x')).to.throw(/ENOENT/);
    // In a child with a deadline: with the old recursive mkdir this never returns.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/store/sqlite/open.ts').then(({ openSqliteStore }) => openSqliteStore('/proc/switchboard-nope/sb.db')).catch((e) => { console.log(e.code); process.exit(3); })`,
      ],
      { cwd: ROOT, timeout: 20_000, encoding: 'utf8' },
    );
    expect(child.signal, 'the open hung and was killed').to.equal(null);
    expect(child.status).to.equal(3);
    expect(child.stdout.trim()).to.equal('ENOENT');
  });
});
