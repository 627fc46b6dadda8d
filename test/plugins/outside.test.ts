import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadPlugins } from '../../src/destinations/host.ts';
import { runCli } from '../helpers/gateway.ts';
import { attempt, decodeOrThrow, testContext } from './context.ts';
import { deliveryFailed } from './events.ts';

/** A plugin as a user writes it, in a folder outside the repo: it imports only the SDK and io-ts. */
const PLUGIN = `import * as io from 'io-ts';
import { t, Duration, PermanentError, classifyHttpResponse, type DestinationPlugin } from 'switchboard/plugin-sdk';

const Options = t.exact(t.intersection([t.type({ target: t.string }), t.partial({ timeout: Duration })]));

export default {
  type: 'outside',
  config: Options,
  create: (options) => ({
    async send() {
      if (io.string !== t.string) throw new Error('the plugin got a second copy of io-ts');
      const failure = classifyHttpResponse(options.target, { status: 403, snippet: '', retryAfter: null });
      if (failure instanceof PermanentError) throw failure;
    },
  }),
} satisfies DestinationPlugin<io.TypeOf<typeof Options>>;
`;

describe('a plugin folder outside the repository', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-outside-'));
    mkdirSync(join(dir, 'plugins', 'outside'), { recursive: true });
    writeFileSync(join(dir, 'plugins', 'outside', 'index.ts'), PLUGIN);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a plugin that imports switchboard/plugin-sdk and io-ts, sharing the gateway’s io-ts', async () => {
    const { registry, errors } = await loadPlugins([join(dir, 'plugins')]);
    expect(errors).to.deep.equal([]);
    const plugin = registry.get('outside')!.plugin;
    const options = decodeOrThrow(plugin.config, { target: 'crm', timeout: '5s' });
    expect(options).to.deep.equal({ target: 'crm', timeout: 5000 });
    const dest = plugin.create(options, testContext().ctx);
    // 403 means the same here as for every built-in destination: permanent, as auth.
    const failure = await dest.send(deliveryFailed(), attempt()).then(
      () => undefined,
      (err: { permanent?: boolean; reason?: string }) => err,
    );
    expect(failure).to.include({ permanent: true, reason: 'auth' });
  });

  it('refuses a bare number as a duration, as the core does', async () => {
    const { registry } = await loadPlugins([join(dir, 'plugins')]);
    const decoded = registry.get('outside')!.plugin.config.decode({ target: 'crm', timeout: 10 });
    expect(decoded._tag).to.equal('Left');
  });

  it('passes `switchboard check` run from another directory', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `sources: { mta: { kind: mta, version: 3, allowUnsigned: true } }
store: { driver: sqlite, path: ${join(dir, 'sb.db')} }
plugins: { dirs: [./plugins] }
destinations:
  crm: { type: outside, target: crm, timeout: 2s }
routes:
  - name: all
    to: [crm]
`,
    );
    const { code, stdout, stderr } = await runCli(['check', '--config', config], { cwd: dir });
    expect(stderr + stdout).not.to.contain('failed to load', stderr + stdout);
    expect(code, stderr + stdout).to.equal(0);
  });
});

describe('a .js plugin in a folder outside the repository, through `switchboard check`', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-outside-js-'));
    mkdirSync(join(dir, 'myplugins'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const check = (type: string) => {
    writeFileSync(
      join(dir, 'config.yaml'),
      `sources: { mta: { kind: mta, version: 3, allowUnsigned: true } }
store: { driver: sqlite, path: ${join(dir, 'sb.db')} }
plugins: { dirs: [./myplugins] }
destinations:
  out: { type: ${type} }
routes:
  - name: all
    to: [out]
`,
    );
    return runCli(['check', '--config', join(dir, 'config.yaml')], { cwd: dir });
  };

  it('loads an ES module .js plugin with no package.json, with a helper .js it imports', async () => {
    mkdirSync(join(dir, 'myplugins', 'lib'));
    writeFileSync(join(dir, 'myplugins', 'lib', 'helper.js'), 'export const name = "myjs";\n');
    writeFileSync(
      join(dir, 'myplugins', 'myjs.js'),
      `import { t } from 'switchboard/plugin-sdk';
import { name } from './lib/helper.js';
export default { type: name, config: t.type({}), create() { return { async send() {} }; } };
`,
    );
    const { code, stdout, stderr } = await check('myjs');
    expect(stderr + stdout).not.to.contain('failed to load', stderr + stdout);
    expect(code, stderr + stdout).to.equal(0);
  });

  it('still loads a CommonJS .cjs plugin and a CommonJS .js plugin', async () => {
    writeFileSync(
      join(dir, 'myplugins', 'old.cjs'),
      `const t = { type: () => ({ name: '{}', is: () => true, validate: (u) => ({ _tag: 'Right', right: u }), decode: (u) => ({ _tag: 'Right', right: u }), encode: (u) => u }) };
module.exports = { t, type: 'oldcjs', config: t.type({}), create() { return { async send() {} }; } };
`,
    );
    writeFileSync(
      join(dir, 'myplugins', 'olderjs.js'),
      `const t = require('./old.cjs').t;
module.exports = { type: 'olderjs', config: t.type({}), create() { return { async send() {} }; } };
`,
    );
    const { code, stdout, stderr } = await check('oldcjs');
    expect(stderr + stdout).not.to.contain('failed to load', stderr + stdout);
    expect(code, stderr + stdout).to.equal(0);
    expect((await check('olderjs')).code).to.equal(0);
  });

  it('reports the message and file:line of a .js plugin that throws while loading', async () => {
    writeFileSync(
      join(dir, 'myplugins', 'boom.js'),
      `import { t } from 'switchboard/plugin-sdk';

throw new Error('the boom plugin needs BOOM_URL');
export default { type: 'boom', config: t.type({}), create() { return { async send() {} }; } };
`,
    );
    const { code, stdout, stderr } = await check('boom');
    expect(code).to.equal(1);
    expect(stderr + stdout).to.match(/boom\.js:3:\d+: failed to load: the boom plugin needs BOOM_URL/);
  });
});
