import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { type CliResult, GatewayProcess, runCli } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';

/** `node dist/cli/bin.js ...args`: the built code, as `npm start` runs it (built first when stale, as prestart does). */
async function runBuilt(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/bin.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

const ESM_JS = `import * as t from 'io-ts';
export default { type: 'memo', config: t.exact(t.type({ path: t.string })), create: () => ({ async send() {} }) };
`;
const CJS_JS = `const t = require('io-ts');
module.exports = { type: 'memoc', config: t.exact(t.type({ path: t.string })), create: () => ({ async send() {} }) };
`;
const HANGS = `await new Promise(() => {});
export default { type: 'hang' };
`;

describe('plugin files as users write them (real CLI, built and from the sources)', function () {
  this.timeout(120_000);
  // Outside this repository, whose package.json says "type": "module": a user's folder with no package.json,
  // its node_modules (io-ts) beside it.
  const tmp = tempDir('plugin-load', tmpdir());
  before(() => symlinkSync(join(ROOT, 'node_modules'), join(tmp.dir, 'node_modules')));
  after(() => tmp.cleanup());
  const plugin = (path: string, text: string) => {
    mkdirSync(dirname(join(tmp.dir, path)), { recursive: true });
    tmp.write(path, text);
  };

  const config = (dir: string, extra = '') =>
    tmp.write(
      `${dir}.yaml`,
      `store: { driver: sqlite, path: ${tmp.dir}/${dir}.db }
sources:
  mta: { kind: mta, secret: "abcdefabcdef0123" }
plugins: { dirs: [./${dir}] }
destinations:
  audit: { type: file, path: ./audit.jsonl }${extra}
routes:
  - name: all
    to: [audit]
`,
    );

  it('loads a .js plugin written as an ES module in a folder with no package.json, and a CommonJS one (found by an attack)', async () => {
    plugin('js/esm.js', ESM_JS);
    plugin('js/cjs.js', CJS_JS);
    const file = config('js', '\n  m: { type: memo, path: x }\n  c: { type: memoc, path: x }');
    for (const run of [runBuilt, runCli]) {
      const r = await run(['check', '--config', file]);
      expect(r.code, `${run.name}: ${r.stdout}${r.stderr}`).to.equal(0);
      expect(r.stdout).to.include('destination m: memo').and.include('destination c: memoc');
    }
  });

  it('loads a .js source plugin written as an ES module that imports switchboard/plugin-sdk, built too (found by an attack: "Cannot find module")', async () => {
    // The built gateway registers tsx after the first .ts plugin (the built-in destinations are .ts); tsx then
    // had the last word on a .js file's format, compiled this one to CommonJS, and its require() of the SDK
    // never reached the hook that provides it.
    plugin(
      'sdkjs/pager.js',
      `import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'pager',
  options: t.type({}),
  authenticate: (request, secrets) =>
    request.headers['x-token'] === secrets[0] ? { ok: true } : { ok: false, missing: false, error: 'wrong token' },
  decode: (body) => ({ _tag: 'Right', right: { type: 'page' } }),
  eventTypes: ['page'],
  fields: {},
};
`,
    );
    const file = tmp.write(
      'sdkjs.yaml',
      `store: { driver: sqlite, path: ${tmp.dir}/sdkjs.db }
sources:
  pager: { kind: pager, secret: "pager-token-0123" }
plugins: { dirs: [./sdkjs] }
destinations:
  audit: { type: file, path: ./audit.jsonl }
routes:
  - name: all
    to: [audit]
`,
    );
    for (const run of [runBuilt, runCli]) {
      const r = await run(['check', '--config', file]);
      expect(r.stdout + r.stderr, run.name).not.to.include('failed to load');
      expect(r.code, `${run.name}: ${r.stdout}${r.stderr}`).to.equal(0);
      expect(r.stdout).to.include('source pager: pager');
    }
  });

  it('names a plugin whose load never finishes, in check (text and --json), instead of exiting 13 with nothing (found by an attack)', async () => {
    plugin('hangs/h.ts', HANGS);
    const file = config('hangs');
    const env = { SWITCHBOARD_PLUGIN_LOAD_MS: '1500' };
    const text = await runBuilt(['check', '--config', file], env);
    expect(text.code, text.stdout + text.stderr).to.equal(1);
    expect(text.stderr).to.match(
      /plugins\.dirs: .*hangs\/h\.ts: failed to load: did not finish loading within 1\.5 s \(a top-level await that never settles\?\)/,
    );
    const json = await runBuilt(['check', '--json', '--config', file], env);
    expect(json.code).to.equal(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; problems: Array<{ message: string }> };
    expect(report.ok).to.equal(false);
    expect(JSON.stringify(report.problems)).to.include('did not finish loading within 1.5 s');
  });

  it('refuses a reload whose plugin never loads, and applies the next good one (found by an attack)', async () => {
    plugin('hangs2/h.ts', HANGS);
    const good = (route: string) =>
      testConfig(
        tmp.dir,
        `destinations:\n  audit: { type: file, path: ${tmp.dir}/r.jsonl }\nroutes:\n  - name: ${route}\n    to: [audit]`,
      );
    const file = tmp.write('reload.yaml', good('first'));
    const gw = await GatewayProcess.start(file, { SWITCHBOARD_PLUGIN_LOAD_MS: '1500' });
    try {
      writeFileSync(
        file,
        good('first').replace(`dirs: [${ROOT}/plugins]`, `dirs: [${ROOT}/plugins, ${tmp.dir}/hangs2]`),
      );
      gw.child.kill('SIGHUP');
      const refused = await gw.waitForLog(
        (l) => l.msg === 'config reload refused; keeping the running config',
        'the refusal',
      );
      expect(JSON.stringify(refused.problems)).to.include('did not finish loading within 1.5 s');
      writeFileSync(file, good('second'));
      gw.child.kill('SIGHUP');
      await gw.waitForLog((l) => l.msg === 'config reloaded', 'the next reload');
      expect(await gw.stop()).to.equal(0);
    } finally {
      await gw.signal('SIGKILL');
    }
  });
});
