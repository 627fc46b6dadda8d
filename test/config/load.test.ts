import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import http from '../../plugins/http/index.ts';
import { formatIssue, loadConfig, loadConfigWithPlugins, resolveConfigPath } from '../../src/config/load.ts';
import { built, filePlugin, lines, ROOT, registry, tempDir, VALID, write } from './helpers.ts';

// A user's plugin; its type is not one of the built-ins, which are always loaded from the repo's plugins/.
const FILE_PLUGIN = `import * as t from 'io-ts';
export default {
  type: 'memo',
  config: t.exact(t.type({ path: t.string })),
  create: () => ({ async send() {} }),
};
`;

const MEMO = VALID.replace('type: file', 'type: memo');

describe('config loading with plugins', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('loads plugins from ./plugins beside the config file by default', async () => {
    write(dir, 'plugins/memo.ts', FILE_PLUGIN);
    const config = built(await loadConfigWithPlugins(write(dir, 'config.yaml', MEMO), { env: {} }));
    expect(config.plugins.dirs).to.deep.equal([join(dir, 'plugins')]);
    expect(config.destinations.get('audit')?.type).to.equal('memo');
  });

  it('always has the built-in destinations, even with no plugins folder beside the config', async () => {
    const config = built(await loadConfigWithPlugins(write(dir, 'config.yaml', VALID), { env: {} }));
    expect(config.destinations.get('audit')?.type).to.equal('file');
  });

  it('loads plugins from the plugins.dirs the file names, relative to the file', async () => {
    write(dir, 'custom/memo/index.ts', FILE_PLUGIN);
    const file = write(dir, 'conf/config.yaml', `plugins:\n  dirs: [../custom]\n${MEMO}`);
    const config = built(await loadConfigWithPlugins(file, { env: {} }));
    expect(config.plugins.dirs).to.deep.equal([join(dir, 'custom')]);
  });

  it('reports plugin load errors at plugins.dirs, together with the other issues', async () => {
    write(dir, 'plugins/memo.ts', FILE_PLUGIN);
    write(dir, 'plugins/broken.ts', 'export default { type: "broken" };\n');
    const file = write(
      dir,
      'config.yaml',
      `plugins:\n  dirs: [./plugins, ./nowhere]\nserver:\n  port: x\n${VALID}`,
    );
    const result = await loadConfigWithPlugins(file, { env: {} });
    const out = lines(result);
    expect(out).to.have.length(3);
    expect(out[0]).to.match(/^config\.yaml:2:3 plugins\.dirs: .*broken\.ts: not a destination plugin: /);
    expect(out[1]).to.equal(
      `config.yaml:2:21 plugins.dirs[1]: plugin folder ${join(dir, 'nowhere')} does not exist (relative folders are read from the config file's folder, ${dir}): create it, correct the path, or remove it (the built-in plugins load without it)`,
    );
    expect(out[2]).to.equal('config.yaml:4:3 server.port: expected an integer between 0 and 65535, got "x"');
  });

  it('refuses an unterminated ${ at file:line:column instead of signing with the literal text', async () => {
    const [open, fix] = [
      '$' + '{',
      '(write $' + '{NAME} or $' + '{NAME:-default}, or $$' + '{ for a literal $' + '{)',
    ];
    const config = VALID.replace('secret: s3cr3t-value', `secret: "${open}MTA_X"`).replace(
      'path: ./events.jsonl',
      `path: "./${open}A:B}.jsonl"`,
    );
    const result = await loadConfigWithPlugins(write(dir, 'config.yaml', config), { env: { MTA_X: 'v' } });
    expect(lines(result)).to.deep.equal([
      `config.yaml:5:5 sources.mta.secret: "${open}MTA_X" is not a valid variable reference: it has no closing } ${fix}`,
      `config.yaml:9:5 destinations.audit.path: "${open}A:B}" is not a valid variable reference ${fix}`,
    ]);
  });

  it('reports YAML syntax errors without loading plugins', async () => {
    const result = await loadConfigWithPlugins(write(dir, 'config.yaml', 'plugins: [\n'), { env: {} });
    expect(lines(result)[0]).to.match(/^config\.yaml:\d+:\d+ YAML syntax error/);
  });
});

describe('formatIssue', () => {
  it('shows the file relative to the working directory, then line:column, path and message', () => {
    const issue = {
      file: '/srv/sb/config.yaml',
      line: 12,
      column: 5,
      path: 'routes[2].match.status',
      message: 'bad',
    };
    expect(formatIssue(issue, '/srv/sb')).to.equal('config.yaml:12:5 routes[2].match.status: bad');
    expect(formatIssue(issue, '/elsewhere')).to.equal('/srv/sb/config.yaml:12:5 routes[2].match.status: bad');
    expect(formatIssue({ ...issue, path: '' }, '/srv/sb')).to.equal('config.yaml:12:5 bad');
  });
});

describe('resolveConfigPath', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('prefers --config, then $SWITCHBOARD_CONFIG, resolved against cwd', () => {
    const env = { SWITCHBOARD_CONFIG: 'env.yaml' };
    expect(resolveConfigPath('flag.yaml', env, dir)).to.deep.equal({ path: join(dir, 'flag.yaml') });
    expect(resolveConfigPath(undefined, env, dir)).to.deep.equal({ path: join(dir, 'env.yaml') });
  });

  it('then ./config.yaml, then ./config.example.yaml with a warning', () => {
    write(dir, 'config.example.yaml', '');
    const example = resolveConfigPath(undefined, {}, dir);
    expect(example.path).to.equal(join(dir, 'config.example.yaml'));
    expect(example.warning).to.include('config.example.yaml');
    write(dir, 'config.yaml', '');
    expect(resolveConfigPath(undefined, { SWITCHBOARD_CONFIG: '' }, dir)).to.deep.equal({
      path: join(dir, 'config.yaml'),
    });
  });
});

describe('config.example.yaml', () => {
  const example = join(ROOT, 'config.example.yaml');

  it('loads with an empty environment and a stand-in file plugin', async () => {
    const result = await loadConfig(example, { env: {}, plugins: registry(filePlugin) });
    const config = built(result);
    expect(config.store).to.deep.equal({
      driver: 'sqlite',
      path: './data/switchboard.db',
      retentionMs: 604_800_000,
    });
    expect(config.sources.get('mta')).to.include({ allowUnsigned: true, kind: 'mta' });
    expect(config.sources.get('mta')?.options).to.deep.equal({ version: 3, defaultCountry: '1' });
    expect(config.sources.get('mta')?.secret).to.equal(undefined);
    expect(config.admin.token).to.equal(undefined);
    expect([...config.destinations.keys()]).to.deep.equal(['audit']);
    expect(config.router.routeNames).to.deep.equal(['everything']);
    expect(result.ok && result.warnings.join('\n')).to.match(/sources\.mta\.allowUnsigned: true/);
  });

  it('warns that with no secret every signature is accepted, and with one that a wrong one still gets 401', async () => {
    // With no secret there is nothing to check a signature against (the gateway accepts any: receive.ts).
    const without = await loadConfig(example, { env: {}, plugins: registry(filePlugin) });
    const withSecret = await loadConfig(example, {
      env: { MTA_WEBHOOK_SECRET: '5f2b9c0e8a7d4c1b9e6f3a2d8c7b6a5f' },
      plugins: registry(filePlugin),
    });
    const warning = (r: typeof without) => (r.ok ? r.warnings.find((w) => w.includes('allowUnsigned')) : '');
    expect(warning(without)).to.match(
      /no secret is set, so every webhook is accepted, with any signature or none/,
    );
    expect(warning(withSecret)).to.match(
      /without a signature are accepted \(a wrong signature still gets 401/,
    );
  });

  it('loads with the real plugins in ./plugins', async () => {
    const config = built(await loadConfigWithPlugins(example, { env: {} }));
    expect(config.destinations.get('audit')?.type).to.equal('file');
  });

  it('takes the webhook secret from MTA_WEBHOOK_SECRET when it is set', async () => {
    const config = built(
      await loadConfig(example, {
        env: { MTA_WEBHOOK_SECRET: 'from-env-secret' },
        plugins: registry(filePlugin),
      }),
    );
    expect(config.sources.get('mta')?.secret).to.equal('from-env-secret');
    expect(config.secrets).to.include('from-env-secret');
  });
});

describe('config.postgres.example.yaml', () => {
  const env = {
    DATABASE_URL: 'postgres://switchboard:pw@db:5432/switchboard',
    MTA_WEBHOOK_SECRET: '5f2b9c0e8a7d4c1b9e6f3a2d8c7b6a5f',
    CRM_SIGNING_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  };

  it('loads from a copy in any folder (no plugins folder beside it), and requires its secrets', async () => {
    // Found by a newcomer trial: the copy failed on `plugins.dirs: [./plugins]`, and the CRM signing secret
    // defaulted to a guessable `change-me`.
    const { dir, cleanup } = tempDir();
    try {
      const file = write(
        dir,
        'config.yaml',
        readFileSync(join(ROOT, 'config.postgres.example.yaml'), 'utf8'),
      );
      const loaded = await loadConfigWithPlugins(file, { env });
      expect(loaded.ok ? 'ok' : loaded.issues.map((i) => i.message)).to.equal('ok');
      const { CRM_SIGNING_SECRET: _, ...without } = env;
      const missing = await loadConfigWithPlugins(file, { env: without });
      const messages = missing.ok ? [] : missing.issues.map((i) => i.message);
      expect(messages).to.have.length(1);
      expect(messages[0]).to.match(/^environment variable CRM_SIGNING_SECRET is not set/);
    } finally {
      cleanup();
    }
  });
});

describe('unreachable routes', () => {
  it('warns about each route below a catch-all that does not continue, with where it is (found by a newcomer trial)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const routes = (first: string) => `sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  crm: { type: file, path: ./events.jsonl }
routes:
  - name: replies
    match: { type: message-reply }
    to: [crm]
  - name: everything
    ${first}
    to: [crm]
  - name: opt-ins
    match: { type: number-opt-in }
    to: [crm]
`;
      const stops = await loadConfig(write(dir, 'a.yaml', routes('')), {
        env: {},
        plugins: registry(filePlugin),
      });
      const warnings = stops.ok ? stops.warnings.filter((w) => w.includes('can never match')) : ['not ok'];
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(
        /a\.yaml:12:5 routes\[2\]: route "opt-ins" can never match: route "everything" above/,
      );
      expect(warnings[0]).to.include('(move "opt-ins" above it, or give "everything" continue: true)');
      const goesOn = await loadConfig(write(dir, 'b.yaml', routes('continue: true')), {
        env: {},
        plugins: registry(filePlugin),
      });
      expect(goesOn.ok && goesOn.warnings.filter((w) => w.includes('can never match'))).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });
});

describe('a name shared by a route and a destination', () => {
  it('is warned about, as pause and resume by name cannot tell them apart (found by a newcomer trial)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const text = `sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  audit: { type: file, path: ./events.jsonl }
routes:
  - name: audit
    to: [audit]
`;
      const loaded = await loadConfig(write(dir, 'c.yaml', text), { env: {}, plugins: registry(filePlugin) });
      const warnings = loaded.ok ? loaded.warnings.filter((w) => w.includes('names both')) : ['not ok'];
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(
        /c\.yaml:6:\d+ routes\[0\]\.name: "audit" names both this route and a destination/,
      );
    } finally {
      cleanup();
    }
  });
});

describe('a config with no sources', () => {
  it('is warned about, as every webhook would get 404 (found by a newcomer trial)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const text = `destinations:
  audit: { type: file, path: ./events.jsonl }
routes:
  - name: all
    to: [audit]
`;
      for (const [name, body] of [
        ['absent.yaml', text],
        ['empty.yaml', `sources: {}\n${text}`],
      ]) {
        const loaded = await loadConfig(write(dir, name, body), { env: {}, plugins: registry(filePlugin) });
        const warnings = loaded.ok ? loaded.warnings.filter((w) => w.includes('sources:')) : ['not ok'];
        expect(warnings, name).to.have.length(1);
        expect(warnings[0]).to.include(
          'sources: none defined, so every webhook is answered 404: add one, e.g.',
        );
      }
      const one = await loadConfig(
        write(dir, 'one.yaml', `sources:\n  mta: { kind: mta, secret: s3cr3t-value }\n${text}`),
        {
          env: {},
          plugins: registry(filePlugin),
        },
      );
      expect(one.ok && one.warnings.filter((w) => w.includes('sources:'))).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });
});

describe('a header whose own text holds a line break or NUL', () => {
  it('is refused with its line and the YAML block scalar named, not sent as a failing header on every delivery (found by a newcomer trial)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const text = `sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  hook:
    type: http
    url: http://127.0.0.1:9/x
    headers:
      Authorization: >
        Bearer abc
      X-Literal: |
        one
      X-Nul: "a\\0b"
      X-Trimmed: "{{ event.id -}}\\n"
      X-Id: "{{ event.id }}"
routes:
  - name: all
    to: [hook]
`;
      const loaded = await loadConfig(write(dir, 'h.yaml', text), { env: {}, plugins: registry(http) });
      expect(loaded.ok).to.equal(false);
      const messages = loaded.ok ? [] : loaded.issues.map((issue) => formatIssue(issue));
      expect(messages).to.have.length(3);
      expect(messages[0]).to.match(
        /h\.yaml:8:\d+ destinations\.hook\.headers\.Authorization: a header value cannot hold a line break, .*use `>-`/,
      );
      expect(messages[1]).to.match(
        /h\.yaml:10:\d+ destinations\.hook\.headers\.X-Literal: a header value cannot hold a line break/,
      );
      expect(messages[2]).to.match(
        /h\.yaml:12:\d+ destinations\.hook\.headers\.X-Nul: a header value cannot hold a NUL/,
      );
    } finally {
      cleanup();
    }
  });
});

describe('route regexes that can hold the gateway', () => {
  it('warns at each regex nesting quantifiers that V8 cannot finish in linear time, where it is, and at no other', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = write(
        dir,
        'a.yaml',
        `sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  crm: { type: file, path: ./events.jsonl }
routes:
  - name: letters
    match: { text: { regex: '^(\\p{L}+)+$' } }
    to: [crm]
  - name: not-stop
    match:
      any:
        - text: { regex: '^(?!STOP)(\\w+\\s?)*$' }
        - text: { not: { regex: '^(?!STOP$)' } }
    to: [crm]
  - name: linear
    match: { text: { regex: '^(a+)+$' } }
    to: [crm]
  - name: ignoring-case
    match: { text: { regex: '(?i)^(a+)+$' } }
    to: [crm]
`,
      );
      const result = await loadConfig(file, { env: {}, plugins: registry(filePlugin) });
      const warnings = result.ok
        ? result.warnings.filter((w) => w.includes('nests quantifiers'))
        : ['not ok'];
      expect(warnings).to.have.length(3);
      expect(warnings[0]).to.match(
        /a\.yaml:7:\d+ routes\[0\]\.match\.text\.regex: regex \/\^\(\\p\{L\}\+\)\+\$\//,
      );
      expect(warnings[0]).to.include('with Unicode mode');
      expect(warnings[1]).to.match(/a\.yaml:12:\d+ routes\[1\]\.match\.any\[0\]\.text\.regex: /);
      expect(warnings[1]).to.include('with a lookaround or a backreference');
      expect(warnings[2]).to.match(
        /a\.yaml:19:\d+ routes\[3\]\.match\.text\.regex: regex \/\^\(a\+\)\+\$\/i /,
      );
      expect(warnings[2]).to.include('with case-insensitivity ((?i))');
    } finally {
      cleanup();
    }
  });
});
