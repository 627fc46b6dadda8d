import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, createConnection } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { request } from '../store/fixtures.ts';

/** A config whose one route goes to a file destination named `name`. */
function configFor(dir: string, name: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, allowUnsigned: true }
store: { driver: sqlite, path: ${dir}/data/switchboard.db }
plugins: { dirs: [${ROOT}/plugins, ${dir}/plugins] }
destinations:
  ${name}: { type: file, path: ${dir}/${name}.jsonl }
routes:
  - to: [${name}]
`;
}

describe('start --watch (real child process)', function () {
  this.timeout(60_000);

  it('reloads after each of three rename-saves in a row, and says plugin code needs a restart', async () => {
    const tmp = tempDir('watch');
    mkdirSync(join(tmp.dir, 'plugins'));
    const plugin = tmp.write(
      'plugins/noop.ts',
      `import * as t from 'io-ts';\nexport default { type: 'noop', config: t.type({}), create: () => ({ send: async () => {} }) };\n`,
    );
    const file = tmp.write('config.yaml', configFor(tmp.dir, 'first'));
    const gw = await GatewayProcess.start(file, {}, ['--watch']);
    try {
      await gw.waitForLog((l) => String(l.msg).startsWith('watching the config'), 'the watch to start');
      for (const [i, name] of ['second', 'third', 'fourth'].entries()) {
        // As editors, `sed -i` and ConfigMaps save: a new file renamed over the old one (a new inode each time).
        writeFileSync(`${file}.tmp`, configFor(tmp.dir, name));
        renameSync(`${file}.tmp`, file);
        const reloaded = await gw.waitForLog(
          (l) => l.msg === 'config reloaded' && JSON.stringify(l.destinations) === JSON.stringify([name]),
          `reload ${i + 1} (to ${name})`,
        );
        expect(reloaded.destinations).to.deep.equal([name]);
        const res = await gw.post(
          '/webhooks/mta',
          readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json')),
        );
        expect(res.status).to.equal(200);
      }
      expect(gw.lines.filter((l) => l.msg === 'config reloaded')).to.have.length(3);
      writeFileSync(plugin, `${readFileSync(plugin, 'utf8')}// edited\n`);
      const warned = await gw.waitForLog(
        (l) => String(l.msg).startsWith('plugin code changed'),
        'the warning',
      );
      expect(String(warned.msg)).to.match(/restart/);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });

  it('reloads when a Kubernetes ConfigMap swaps its ..data symlink', async () => {
    const tmp = tempDir('configmap');
    mkdirSync(join(tmp.dir, 'plugins'));
    const mount = join(tmp.dir, 'mount');
    // The kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..<timestamp>/ (swapped by a rename).
    const version = (n: number, name: string) => {
      mkdirSync(join(mount, `..v${n}`), { recursive: true });
      writeFileSync(join(mount, `..v${n}`, 'config.yaml'), configFor(tmp.dir, name));
      symlinkSync(`..v${n}`, join(mount, '..data_tmp'));
      renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    };
    version(1, 'first');
    symlinkSync('..data/config.yaml', join(mount, 'config.yaml'));
    const gw = await GatewayProcess.start(join(mount, 'config.yaml'), {}, ['--watch']);
    try {
      await gw.waitForLog((l) => String(l.msg).startsWith('watching the config'), 'the watch to start');
      version(2, 'second');
      const reloaded = await gw.waitForLog((l) => l.msg === 'config reloaded', 'the reload after the swap');
      expect(reloaded.destinations).to.deep.equal(['second']);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });

  it('warns once when the config file is deleted, keeps the running config, and reloads when it is back', async () => {
    const tmp = tempDir('watch-gone');
    mkdirSync(join(tmp.dir, 'plugins'));
    const file = tmp.write('config.yaml', configFor(tmp.dir, 'first'));
    const gw = await GatewayProcess.start(file, {}, ['--watch']);
    try {
      await gw.waitForLog((l) => String(l.msg).startsWith('watching the config'), 'the watch to start');
      unlinkSync(file);
      const gone = await gw.waitForLog(
        (l) => String(l.msg).startsWith('the config file is gone'),
        'the warning',
      );
      expect(gone).to.include({ level: 40, config: file });
      expect(String(gone.msg)).to.match(
        /keeping the running config, and reloading it when the file is back$/,
      );
      const res = await gw.post(
        '/webhooks/mta',
        readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json')),
      );
      expect(res.status).to.equal(200);
      // Back as it was (a restore): reloaded even so, and the log says the file is read again.
      writeFileSync(file, configFor(tmp.dir, 'first'));
      const reloaded = await gw.waitForLog((l) => l.msg === 'config reloaded', 'the reload once it is back');
      expect(reloaded.destinations).to.deep.equal(['first']);
      expect(gw.lines.filter((l) => String(l.msg).startsWith('the config file is gone'))).to.have.length(1);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });

  it('reloads an edit made after the config was loaded and before the watch began', async () => {
    const tmp = tempDir('watch-early');
    mkdirSync(join(tmp.dir, 'plugins'));
    // A plugin that holds the start, after the config file was read, until the test has edited the file.
    tmp.write(
      'plugins/gate.ts',
      `import { existsSync, writeFileSync } from 'node:fs';
import * as t from 'io-ts';
writeFileSync(new URL('../loading', import.meta.url), '');
while (!existsSync(new URL('../go', import.meta.url))) await new Promise((r) => setTimeout(r, 20));
export default { type: 'gate', config: t.type({}), create: () => ({ send: async () => {} }) };
`,
    );
    const file = tmp.write('config.yaml', configFor(tmp.dir, 'first'));
    const gw = new GatewayProcess(file, {}, ['--watch']);
    try {
      // The gateway logs nothing while the plugin holds it: the plugin says so with a file.
      while (!existsSync(join(tmp.dir, 'loading')) && gw.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 20));
      expect(gw.child.exitCode, gw.raw.join('\n')).to.equal(null);
      writeFileSync(file, configFor(tmp.dir, 'second'));
      tmp.write('go', '');
      const listening = await gw.waitForLog((l) => l.msg === 'switchboard listening', 'the start');
      expect(listening.destinations).to.deep.equal(['first']);
      const reloaded = await gw.waitForLog(
        (l) => l.msg === 'config reloaded',
        'the reload of the early edit',
      );
      expect(reloaded.destinations).to.deep.equal(['second']);
    } finally {
      tmp.write('go', ''); // a gateway still held by the plugin could not stop
      await gw.stop();
      tmp.cleanup();
    }
  });
});

/** Every process under `pid`, from /proc. */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** `npm start` in the repo with a config, resolved once the gateway listens. */
async function npmStart(
  config: string,
): Promise<{ npm: ChildProcess; url: string; admin: string; exited: Promise<unknown> }> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWITCHBOARD_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(npm, 'exit');
  const { url, admin } = await new Promise<{ url: string; admin: string }>((resolve, reject) => {
    createInterface({ input: npm.stdout! }).on('line', (line) => {
      if (line.includes('"switchboard listening"')) resolve(JSON.parse(line));
    });
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening`)));
  });
  return { npm, url, admin, exited };
}

describe('npm start and signals (real npm, real node)', function () {
  this.timeout(60_000);

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`leaves no node process behind and frees the port when npm gets ${signal}`, async () => {
      const tmp = tempDir('npm-start');
      mkdirSync(join(tmp.dir, 'plugins'));
      try {
        const { npm, url, exited } = await npmStart(tmp.write('config.yaml', configFor(tmp.dir, 'audit')));
        const gateway = descendants(npm.pid!);
        expect(gateway.length).to.be.greaterThan(0);
        npm.kill(signal);
        await exited;
        // The gateway finishes on its own schedule; wait for it, asserting nothing about how long it takes.
        while (gateway.some(alive)) await new Promise((r) => setTimeout(r, 100));
        expect(gateway.filter(alive)).to.deep.equal([]);
        expect(await refused(url)).to.equal(true);
      } finally {
        tmp.cleanup();
      }
    });
  }
});

describe('the built gateway (npm start runs dist/)', function () {
  this.timeout(120_000);

  it("serves the web console's stylesheet and script, byte for byte as in src/", async () => {
    const tmp = tempDir('built-console');
    mkdirSync(join(tmp.dir, 'plugins'));
    const config = tmp.write(
      'config.yaml',
      configFor(tmp.dir, 'audit').replace(
        'admin: { listen: "127.0.0.1:0" }',
        'admin: { listen: "127.0.0.1:0", token: "built-console-test-token-8f3a9c2e71d4b605" }',
      ),
    );
    const { npm, admin, exited } = await npmStart(config);
    try {
      for (const file of ['console.css', 'console.js']) {
        const res = await fetch(`${admin}/ui/assets/${file}`);
        expect(res.status, file).to.equal(200);
        expect(await res.text(), file).to.equal(readFileSync(join(ROOT, 'src/console/assets', file), 'utf8'));
      }
    } finally {
      npm.kill('SIGTERM');
      await exited;
      tmp.cleanup();
    }
  });
});

describe('the admin listener at start (real CLI)', function () {
  this.timeout(60_000);

  it('exits 1 naming admin.listen when its port is taken, and refuses an address that is not HOST:PORT', async () => {
    const tmp = tempDir('admin-listen');
    mkdirSync(join(tmp.dir, 'plugins'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const taken = tmp.write(
        'taken.yaml',
        configFor(tmp.dir, 'audit').replace('listen: "127.0.0.1:0"', `listen: "127.0.0.1:${port}"`),
      );
      // A delivery waiting in the store, as a running instance would have one: a start that fails on its port
      // must not send it first (found by an attack: a second start by mistake spent an attempt of the first's).
      const store = openSqliteStore(join(tmp.dir, 'data/switchboard.db'));
      await store.migrate();
      const now = new Date();
      await store.ingest({ batch: [request(now, { to: ['audit'] })], now });
      await store.close();
      const r = await runCli(['start', '--config', taken]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(
        `127.0.0.1:${port} is already in use: stop the other process or set admin.listen`,
      );
      expect(existsSync(join(tmp.dir, 'audit.jsonl')), 'the failed start delivered').to.equal(false);
      const after = openSqliteStore(join(tmp.dir, 'data/switchboard.db'));
      const [waiting] = (await after.listDeliveries({ filter: {}, limit: 10 })).items;
      await after.close();
      expect(waiting).to.include({ state: 'pending', attempts: 0 });
      const bad = tmp.write(
        'bad.yaml',
        configFor(tmp.dir, 'audit').replace('listen: "127.0.0.1:0"', 'listen: "9091"'),
      );
      const c = await runCli(['check', '--config', bad]);
      expect(c.code).to.equal(1);
      expect(c.stderr).to.match(/bad\.yaml:2:\d+ admin\.listen: .*HOST:PORT/);
    } finally {
      blocker.close();
      tmp.cleanup();
    }
  });
});
