// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${NAME} is the interpolation syntax under test.
import { expect } from 'chai';
import * as t from 'io-ts';
import type { DestinationPlugin } from '../../src/destinations/api.ts';
import { built, filePlugin, lines, loadText, registry, VALID } from './helpers.ts';

describe('config build', () => {
  it('fills every default from the contract', async () => {
    const config = built(await loadText(VALID));
    expect(config.server).to.deep.equal({
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 256 * 1024,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
    });
    const { plugin, ...mta } = config.sources.get('mta')!;
    expect(plugin.kind).to.equal('mta');
    expect(mta).to.deep.equal({
      name: 'mta',
      kind: 'mta',
      options: { version: 3, defaultCountry: '1' },
      secrets: ['s3cr3t-value'],
      secret: 's3cr3t-value',
      allowUnsigned: false,
      dedupeWindowMs: 24 * 3_600_000,
      onUndecodable: 'accept',
    });
    expect(config.store).to.deep.equal({
      driver: 'sqlite',
      path: './data/switchboard.db',
      retentionMs: 7 * 86_400_000,
    });
    expect(config.delivery).to.deep.equal({
      retryForMs: 24 * 3_600_000,
      attempts: 0,
      backoff: { initialMs: 1000, maxMs: 900_000, multiplier: 2, jitter: true },
      timeoutMs: 10_000,
      concurrency: 4,
    });
    expect(config.admin).to.deep.equal({ listen: { host: '127.0.0.1', port: 9091 } });
    expect(config.plugins.dirs).to.have.length(1);
    expect(config.plugins.dirs[0]).to.match(/config-test-[^/]+\/plugins$/);
    expect(config.router.routeNames).to.deep.equal(['everything']);
  });

  it('decodes a postgres store with its pool size and timeout defaults', async () => {
    const config = built(
      await loadText(`store:\n  driver: postgres\n  url: \${DATABASE_URL}\n${VALID}`, {
        DATABASE_URL: 'postgres://u:p@h/db',
      }),
    );
    expect(config.store).to.deep.equal({
      driver: 'postgres',
      url: 'postgres://u:p@h/db',
      poolSize: 10,
      retentionMs: 604_800_000,
      timeouts: { connectTimeoutMs: 5_000, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 15_000 },
    });
    expect(config.secrets).to.include('postgres://u:p@h/db');
  });

  it('decodes the postgres store timeouts as durations', async () => {
    const config = built(
      await loadText(
        `store:\n  driver: postgres\n  url: postgres://h/db\n  connectTimeout: 1s\n  statementTimeout: 2500ms\n  idleInTransactionTimeout: 1m\n${VALID}`,
      ),
    );
    expect(config.store.driver === 'postgres' && config.store.timeouts).to.deep.equal({
      connectTimeoutMs: 1_000,
      statementTimeoutMs: 2_500,
      idleInTransactionTimeoutMs: 60_000,
    });
  });

  it('accepts numbers and booleans from environment variables', async () => {
    const text = `server:\n  port: \${PORT}\n${VALID}`.replace(
      'kind: mta',
      'kind: mta\n    allowUnsigned: ${UNSIGNED}',
    );
    const config = built(await loadText(text, { PORT: '9090', UNSIGNED: 'true' }));
    expect(config.server.port).to.equal(9090);
    expect(config.sources.get('mta')?.allowUnsigned).to.equal(true);
  });

  it('merges a destination’s delivery overrides over the defaults, and decodes its controls', async () => {
    const text = `delivery:\n  attempts: 3\n${VALID}`.replace(
      'path: ./events.jsonl',
      [
        'path: ./events.jsonl',
        '    delivery: { timeout: 2s, retryFor: 1h, backoff: { max: 1m } }',
        '    rateLimit: 60/m',
        '    circuitBreaker: { failures: 3 }',
        '    fallback: other',
        '  other:',
        '    type: file',
        '    path: ./other.jsonl',
      ].join('\n'),
    );
    const audit = built(await loadText(text)).destinations.get('audit');
    expect(audit?.delivery).to.deep.equal({
      retryForMs: 3_600_000,
      attempts: 3,
      backoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: true },
      timeoutMs: 2000,
      concurrency: 4,
    });
    expect(audit?.rateLimit).to.deep.equal({ count: 60, perMs: 60_000 });
    expect(audit?.circuitBreaker).to.deep.equal({ failures: 3, cooldownMs: 60_000 });
    expect(audit?.fallback).to.deep.equal(['other']);
  });

  it('refuses group: on a destination whose plugin cannot send digests', async () => {
    const text = VALID.replace(
      'path: ./events.jsonl',
      'path: ./events.jsonl\n    group: { by: [type], interval: 10m }',
    );
    const out = lines(await loadText(text));
    expect(out).to.have.length(1);
    expect(out[0]).to.match(
      /destinations\.audit\.group: the file plugin cannot send digests \(it has no sendDigest\)/,
    );
  });

  it('builds group: settings for a plugin that sends digests', async () => {
    const digesting = { ...filePlugin, create: () => ({ async send() {}, async sendDigest() {} }) };
    const text = VALID.replace(
      'path: ./events.jsonl',
      'path: ./events.jsonl\n    group: { by: [type, tags.campaign], interval: 10m }',
    );
    const audit = built(await loadText(text, {}, registry(digesting))).destinations.get('audit');
    expect(audit?.group).to.deep.equal({
      by: ['type', 'tags.campaign'],
      waitMs: 30_000,
      intervalMs: 600_000,
    });
  });

  it('gives create the decoded options and a context with the name, timeout and template compiler', async () => {
    const seen: unknown[] = [];
    const probe: DestinationPlugin<{ text: string }> = {
      type: 'probe',
      config: t.type({ text: t.string }),
      create(options, ctx) {
        const template = ctx.template('text', options.text, 'none');
        seen.push({ options, name: ctx.name, timeoutMs: ctx.timeoutMs, source: template.source });
        return { async send() {} };
      },
    };
    const text = VALID.replace(
      'type: file\n    path: ./events.jsonl',
      'type: probe\n    text: "hi {{ phone }}"',
    );
    built(await loadText(text, {}, registry(probe)));
    expect(seen).to.deep.equal([
      { options: { text: 'hi {{ phone }}' }, name: 'audit', timeoutMs: 10_000, source: 'hi {{ phone }}' },
    ]);
  });

  it('reports a plugin whose create throws, at the destination', async () => {
    const broken: DestinationPlugin<unknown> = {
      type: 'file',
      config: t.unknown,
      create() {
        throw new Error('path must be absolute');
      },
    };
    const out = lines(await loadText(VALID, {}, registry(broken)));
    expect(out).to.deep.equal([
      'config.yaml:7:3 destinations.audit: the file plugin could not set up this destination: path must be absolute',
    ]);
  });

  it('reports a plugin whose create returns no destination { send }, at the destination (found by an attack)', async () => {
    const returning = (value: unknown): DestinationPlugin<unknown> => ({
      type: 'file',
      config: t.unknown,
      create: () => value as never,
    });
    const cases: Array<[unknown, string]> = [
      [null, 'null'],
      [undefined, 'undefined'],
      [
        Promise.resolve({ async send() {} }),
        'a Promise (create must return the destination itself, not a Promise)',
      ],
      [{ close() {} }, 'an object without a send function'],
      [{ send: 'x' }, 'an object without a send function'],
    ];
    for (const [value, what] of cases) {
      const out = lines(await loadText(VALID, {}, registry(returning(value))));
      expect(out).to.deep.equal([
        `config.yaml:7:3 destinations.audit: the file plugin could not set up this destination: its create() returned ${what}, not a destination { send, close? }`,
      ]);
    }
  });

  it("reports every problem when a rejected destination's close throws, instead of failing the whole load (found by an attack)", async () => {
    const throwsOnClose: DestinationPlugin<unknown> = {
      type: 'file',
      config: t.unknown,
      create: () => ({
        async send() {},
        close() {
          throw new Error('close exploded');
        },
      }),
    };
    const result = await loadText(`server:\n  port: x\n${VALID}`, {}, registry(throwsOnClose));
    expect(lines(result)).to.deep.equal([
      'config.yaml:2:3 server.port: expected an integer between 0 and 65535, got "x"',
    ]);
  });

  it('closes destinations it built when the config is then rejected', async () => {
    let closed = 0;
    const closable: DestinationPlugin<unknown> = {
      type: 'file',
      config: t.unknown,
      create: () => ({
        async send() {},
        async close() {
          closed++;
        },
      }),
    };
    const result = await loadText(`server:\n  port: x\n${VALID}`, {}, registry(closable));
    expect(result.ok).to.equal(false);
    expect(closed).to.equal(1);
  });

  it('builds an immutable config', async () => {
    const config = built(await loadText(VALID));
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.server)).to.equal(true);
    expect(Object.isFrozen(config.delivery.backoff)).to.equal(true);
    expect(Object.isFrozen(config.destinations.get('audit'))).to.equal(true);
    expect(() => (config.sources as Map<string, unknown>).set('x', {})).to.throw(TypeError);
    expect(() => (config.destinations as Map<string, unknown>).delete('audit')).to.throw(TypeError);
    expect(config.destinations.get('audit')?.destination).to.be.an('object');
  });

  it('warns when there are no routes', async () => {
    for (const text of [
      VALID.replace(/routes:[\s\S]*$/, ''),
      `${VALID.replace(/routes:[\s\S]*$/, '')}routes: []\n`,
    ]) {
      const result = await loadText(text);
      expect(result.ok && result.warnings).to.have.length(1);
      expect(result.ok && result.warnings[0]).to.match(
        / routes: none defined, so every event will be stored as unrouted$/,
      );
    }
  });

  it('uses the stand-in file plugin as a plain registry entry', () => {
    expect(registry(filePlugin).get('file')?.plugin.type).to.equal('file');
  });
});
