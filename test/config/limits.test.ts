import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import http from '../../plugins/http/index.ts';
import { parseDuration } from '../../src/config/units.ts';
import { Duration } from '../../src/destinations/codecs.ts';
import { runCli } from '../helpers/gateway.ts';
import { built, filePlugin, lines, loadText, ROOT, registry, tempDir, VALID, write } from './helpers.ts';

const POSITIVE = 'expected a duration longer than 0, like 500ms, 10s or 15m';

describe('config limits', () => {
  it('refuses a retry duration longer than 10 years, saying the most allowed', async () => {
    const text = `delivery: { retryFor: 99999999999d, backoff: { initial: 99999999999d, max: 99999999999d } }\n${VALID}`;
    expect(lines(await loadText(text))).to.deep.equal([
      `config.yaml:1:13 delivery.retryFor: ${POSITIVE}, got "99999999999d": at most 3650d here (10 years)`,
      `config.yaml:1:48 delivery.backoff.initial: ${POSITIVE}, got "99999999999d": at most 3650d here (10 years)`,
      `config.yaml:1:71 delivery.backoff.max: ${POSITIVE}, got "99999999999d": at most 3650d here (10 years)`,
    ]);
  });

  it("refuses the same in a destination's delivery override", async () => {
    const text = VALID.replace('type: file', 'type: file\n    delivery: { retryFor: 3651d }');
    expect(lines(await loadText(text))).to.deep.equal([
      `config.yaml:9:17 destinations.audit.delivery.retryFor: ${POSITIVE}, got "3651d": at most 3650d here (10 years)`,
    ]);
  });

  it('accepts 10 years exactly', async () => {
    const config = built(await loadText(`delivery: { retryFor: 3650d, backoff: { max: 3650d } }\n${VALID}`));
    expect(config.delivery.retryForMs).to.equal(3650 * 86_400_000);
  });

  it('refuses a timeout longer than a timer can wait (24d)', async () => {
    const text = `delivery: { timeout: 30d }\nserver: { requestTimeout: 25d }\n${VALID}`;
    expect(lines(await loadText(text))).to.deep.equal([
      `config.yaml:1:13 delivery.timeout: ${POSITIVE}, got "30d": at most 24d here (the longest a timer can wait)`,
      `config.yaml:2:11 server.requestTimeout: ${POSITIVE}, got "25d": at most 24d here (the longest a timer can wait)`,
    ]);
  });

  it('refuses a body limit of 0 or 100gb, saying the range', async () => {
    for (const limit of ['0', '100gb']) {
      const shown = limit === '0' ? '0' : `"${limit}"`;
      expect(lines(await loadText(`server: { bodyLimit: ${limit} }\n${VALID}`))).to.deep.equal([
        `config.yaml:1:11 server.bodyLimit: expected a size between 1b and 256mb, got ${shown}`,
      ]);
    }
  });

  it('hides a value from the environment beyond a limit, still saying the limit', async () => {
    const cases = [
      [
        `delivery: { timeout: "\${X}" }`,
        '30d',
        `config.yaml:1:13 delivery.timeout: ${POSITIVE}, got a secret value (hidden): at most 24d here (the longest a timer can wait)`,
      ],
      [
        `delivery: { retryFor: "\${X}" }`,
        '3651d',
        `config.yaml:1:13 delivery.retryFor: ${POSITIVE}, got a secret value (hidden): at most 3650d here (10 years)`,
      ],
      [
        `delivery: { timeout: "\${X}" }`,
        '0s',
        `config.yaml:1:13 delivery.timeout: ${POSITIVE}, got a secret value (hidden): zero is not allowed here`,
      ],
      [
        `server: { bodyLimit: "\${X}" }`,
        '0',
        'config.yaml:1:11 server.bodyLimit: expected a size between 1b and 256mb, got a secret value (hidden)',
      ],
    ];
    for (const [setting, value, message] of cases) {
      expect(lines(await loadText(`${setting}\n${VALID}`, { X: value }))).to.deep.equal([message]);
    }
  });

  it('accepts a body limit up to 256mb, warning below 1kb (most webhooks would get 413)', async () => {
    for (const [limit, bytes, warned] of [
      ['100b', 100, true],
      ['1023b', 1023, true],
      ['1kb', 1024, false],
      ['256mb', 256 * 1024 ** 2, false],
    ] as const) {
      const result = await loadText(`server: { bodyLimit: ${limit} }\n${VALID}`);
      expect(built(result).server.bodyLimitBytes).to.equal(bytes);
      const warning = result.ok ? result.warnings.find((w) => w.includes('server.bodyLimit')) : undefined;
      expect(warning !== undefined, limit).to.equal(warned);
      if (warned) expect(warning).to.include(`${bytes} bytes, so most webhooks will get 413`);
    }
  });
});

describe('config zero durations and bare numbers', () => {
  it('says zero is not allowed where it is not, without suggesting 0s', async () => {
    const out = lines(await loadText(`store: { retention: 0 }\ndelivery: { timeout: 0s }\n${VALID}`));
    expect(out).to.deep.equal([
      `config.yaml:1:10 store.retention: ${POSITIVE}, got 0: zero is not allowed here`,
      `config.yaml:2:13 delivery.timeout: ${POSITIVE}, got "0s": zero is not allowed here`,
    ]);
  });

  it('accepts 0 where zero is allowed, as config.example.yaml says (dedupeWindow)', async () => {
    const text = VALID.replace('secret: s3cr3t-value', 'secret: s3cr3t-value\n    dedupeWindow: 0');
    expect(built(await loadText(text)).sources.get('mta')?.dedupeWindowMs).to.equal(0);
  });

  it('suggests only a spelling the key accepts for a bare number', async () => {
    const cases = [
      ['timeout: 10', '(add a unit, e.g. 10s)'],
      ['timeout: 2073600000', '(add a unit, e.g. 2073600000ms)'],
      ['retryFor: 999999999999', '(add a unit)'],
      ['timeout: -5', '(add a unit)'],
    ];
    for (const [setting, hint] of cases) {
      const [out] = lines(await loadText(`delivery: { ${setting} }\n${VALID}`));
      expect(out).to.match(/, got -?\d+ \(add a unit/);
      expect(out.endsWith(hint), out).to.equal(true);
      const suggested = /e\.g\. (\S+)\)$/.exec(out)?.[1];
      if (suggested !== undefined) {
        const key = setting.split(':')[0];
        built(await loadText(`delivery: { ${key}: ${suggested} }\n${VALID}`));
        expect(parseDuration(suggested)).to.be.a('number');
      }
    }
  });
});

describe("plugins' Duration option codec", () => {
  const message = (u: unknown) => {
    const r = Duration.decode(u);
    return r._tag === 'Left' ? r.left[0].message : `decoded ${r.right}`;
  };

  it('refuses 0 without suggesting 0s, and more than 10 years', () => {
    expect(message(0)).to.equal('must be longer than zero');
    expect(message('0s')).to.equal('must be longer than zero');
    expect(message('3651d')).to.equal('must be at most 3650d (10 years)');
    expect(message(10)).to.equal(
      'must be a duration such as 500ms, 10s or 1m (is 10 seconds or milliseconds? write 10s or 10ms)',
    );
    expect(message('3650d')).to.equal(`decoded ${3650 * 86_400_000}`);
  });
});

describe("plugins' timeout options", () => {
  const withCrm = (timeout: string) =>
    VALID.replace(
      'destinations:\n',
      `destinations:\n  crm: { type: http, url: "https://crm.example.com/hook", timeout: ${timeout} }\n`,
    );
  const plugins = registry(filePlugin, http);

  it("refuses an http destination's timeout longer than a timer can wait (24d)", async () => {
    expect(lines(await loadText(withCrm('25d'), {}, plugins))).to.deep.equal([
      'config.yaml:7:59 destinations.crm.timeout: must be at most 24d (the longest a timer can wait)',
    ]);
    expect(built(await loadText(withCrm('24d'), {}, plugins)).destinations.get('crm')).to.have.property(
      'type',
      'http',
    );
  });
});

describe('config loose values', () => {
  it('asks for quotes around a secret YAML read as a number, without showing it', async () => {
    const out = lines(await loadText(VALID.replace('secret: s3cr3t-value', 'secret: 12345678')));
    expect(out).to.deep.equal([
      'config.yaml:5:5 sources.mta.secret: expected a string, got a number (hidden): put the secret in quotes ("…") so YAML reads it as text; unquoted digits are a number, and leading zeros are lost',
    ]);
    expect(out.join()).to.not.include('12345678');
  });

  it('refuses a number or true/false written in quotes, asking to drop them', async () => {
    const text = `server: { port: '8080' }\ndelivery: { attempts: "5" }\n${VALID.replace(
      'secret: s3cr3t-value',
      'secret: s3cr3t-value\n    version: "3"\n    allowUnsigned: "false"',
    )}`;
    expect(lines(await loadText(text))).to.deep.equal([
      `config.yaml:1:11 server.port: expected a number, got "8080" (text: it is in quotes); write 8080 without quotes`,
      `config.yaml:2:13 delivery.attempts: expected a number, got "5" (text: it is in quotes); write 5 without quotes`,
      `config.yaml:8:5 sources.mta.version: expected a number, got "3" (text: it is in quotes); write 3 without quotes`,
      `config.yaml:9:5 sources.mta.allowUnsigned: expected true or false, got "false" (text: it is in quotes); write false without quotes`,
    ]);
  });

  it('still takes a number from the environment, which only holds strings', async () => {
    const config = built(await loadText(`server: { port: "\${PORT}" }\n${VALID}`, { PORT: '9090' }));
    expect(config.server.port).to.equal(9090);
  });

  it('refuses a defaultCountry that is no country calling code, and names the code of an ISO country', async () => {
    const at = (value: string) =>
      VALID.replace('secret: s3cr3t-value', `secret: s3cr3t-value\n    defaultCountry: ${value}`);
    expect(lines(await loadText(at('"999"')))).to.deep.equal([
      'config.yaml:6:5 sources.mta.defaultCountry: expected a country calling code such as 1 or 44, got "999": no country has calling code +999',
    ]);
    expect(lines(await loadText(at('GB')))).to.deep.equal([
      'config.yaml:6:5 sources.mta.defaultCountry: expected a country calling code such as 1 or 44, got "GB": write the calling code of GB, 44',
    ]);
    for (const ok of ['44', "'+44'", "'1'", '7']) {
      const config = built(await loadText(at(ok)));
      expect(config.sources.get('mta')?.options)
        .to.have.property('defaultCountry')
        .that.matches(/^(44|1|7)$/);
    }
  });
});

describe('config.example.yaml copied to another folder', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-example-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes switchboard check there, with the built-in plugins', async () => {
    copyFileSync(join(ROOT, 'config.example.yaml'), join(dir, 'config.yaml'));
    const r = await runCli(['check', '--config', join(dir, 'config.yaml')], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/destination audit: file/);
  });

  it('names a missing plugin folder by its absolute path, in switchboard check', async () => {
    write(dir, 'config.yaml', `plugins:\n  dirs: [./plugins]\n${VALID}`);
    const r = await runCli(['check', '--config', join(dir, 'config.yaml')], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      `config.yaml:2:10 plugins.dirs[0]: plugin folder ${join(dir, 'plugins')} does not exist (relative folders are read from the config file's folder, ${dir}): create it, correct the path, or remove it (the built-in plugins load without it)`,
    );
  });

  it('shows the limits and loose values through switchboard check', async () => {
    const { dir: inRepo, cleanup } = tempDir();
    try {
      const text = `server: { port: '8080', bodyLimit: 0 }\ndelivery: { retryFor: 99999999999d, timeout: 0 }\n${VALID.replace('s3cr3t-value', '12345678')}`;
      const file = write(inRepo, 'config.yaml', text);
      const r = await runCli(['check', '--config', file], { cwd: inRepo });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('config.yaml:1:11 server.port: expected a number, got "8080"');
      expect(r.stderr).to.include(
        'config.yaml:1:25 server.bodyLimit: expected a size between 1b and 256mb, got 0',
      );
      expect(r.stderr).to.include(
        'delivery.retryFor: ' + POSITIVE + ', got "99999999999d": at most 3650d here',
      );
      expect(r.stderr).to.include(`delivery.timeout: ${POSITIVE}, got 0: zero is not allowed here`);
      expect(r.stderr).to.include(
        'sources.mta.secret: expected a string, got a number (hidden): put the secret in quotes',
      );
      expect(r.stderr).to.not.include('12345678');
    } finally {
      cleanup();
    }
  });
});
