import { join } from 'node:path';
import { expect } from 'chai';
import { loadPlugins } from '../../src/destinations/host.ts';
import { tempDir, write } from './helpers.ts';

/** A self-contained plugin module; `io-ts` resolves because the temp dir is inside the repo. */
function pluginSource(type: string): string {
  return `import * as t from 'io-ts';
export default {
  type: ${JSON.stringify(type)},
  config: t.type({ path: t.string }),
  create: () => ({ async send() {} }),
};
`;
}

describe('plugin host', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('loads a folder plugin from its index.ts and a single-file plugin', async () => {
    write(dir, 'plugins/folder-one/index.ts', pluginSource('folder-one'));
    write(dir, 'plugins/folder-one/helper.ts', 'export const x = 1;\n');
    write(dir, 'plugins/single.ts', pluginSource('single'));
    write(dir, 'plugins/js-one.js', pluginSource('js-one'));
    const { registry, errors } = await loadPlugins([join(dir, 'plugins')]);
    expect(errors).to.deep.equal([]);
    expect([...registry.keys()].sort()).to.deep.equal(['folder-one', 'js-one', 'single']);
    expect(registry.get('folder-one')?.file).to.equal(join(dir, 'plugins/folder-one/index.ts'));
    expect(registry.get('single')?.plugin.create).to.be.a('function');
  });

  it('skips declarations, tests, READMEs, dot files and folders without an index', async () => {
    write(dir, 'plugins/types.d.ts', 'export type X = 1;\n');
    write(dir, 'plugins/single.test.ts', 'throw new Error("must not be imported");\n');
    write(dir, 'plugins/README.md', '# plugins\n');
    write(dir, 'plugins/.hidden.ts', 'throw new Error("must not be imported");\n');
    write(dir, 'plugins/shared/util.ts', 'throw new Error("must not be imported");\n');
    const { registry, errors } = await loadPlugins([join(dir, 'plugins')]);
    expect(errors).to.deep.equal([]);
    expect(registry.size).to.equal(0);
  });

  it('names the file and every problem when the default export is not a plugin', async () => {
    write(dir, 'plugins/bad.ts', 'export default { type: "", config: {}, create: 5 };\n');
    write(dir, 'plugins/none.ts', 'export const plugin = 1;\n');
    const { registry, errors } = await loadPlugins([join(dir, 'plugins')]);
    expect(registry.size).to.equal(0);
    expect(errors).to.have.length(2);
    expect(errors[0]).to.match(/bad\.ts: not a destination plugin: /);
    expect(errors[0]).to.include('`type` must be a non-empty string');
    expect(errors[0]).to.include('`config` must be an io-ts codec');
    expect(errors[0]).to.include('`create` must be a function');
    expect(errors[1]).to.match(/none\.ts: not a destination plugin: it has no default export/);
  });

  it('names the file and the error when importing a plugin throws', async () => {
    write(dir, 'plugins/throws.ts', 'throw new Error("boom at import");\nexport default {};\n');
    write(dir, 'plugins/ok.ts', pluginSource('ok'));
    const { registry, errors } = await loadPlugins([join(dir, 'plugins')]);
    expect([...registry.keys()]).to.deep.equal(['ok']);
    expect(errors).to.have.length(1);
    // Located where it was thrown: throws.ts:1:<column>.
    expect(errors[0]).to.match(/throws\.ts:1:\d+: failed to load: boom at import$/);
  });

  it('names both files when two plugins claim one type', async () => {
    write(dir, 'a/dup.ts', pluginSource('dup'));
    write(dir, 'b/dup/index.ts', pluginSource('dup'));
    const { registry, errors } = await loadPlugins([join(dir, 'a'), join(dir, 'b')]);
    expect(registry.get('dup')?.file).to.equal(join(dir, 'a/dup.ts'));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include('b/dup/index.ts');
    expect(errors[0]).to.include('a/dup.ts');
    expect(errors[0]).to.include('plugin type "dup" is already provided by');
  });

  it('names a plugin folder that does not exist', async () => {
    const { registry, errors } = await loadPlugins([join(dir, 'missing')]);
    expect(registry.size).to.equal(0);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/plugin folder .*missing does not exist$/);
  });
});
