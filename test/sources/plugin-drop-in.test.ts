import { mkdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { loadPlugins } from '../../src/destinations/host.ts';
import { sign } from '../../src/ingress/signature.ts';
import { runCli } from '../helpers/gateway.ts';
import { Sink } from '../helpers/sink.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { startGateway } from './service.ts';

/**
 * A user's source plugin dropped into a plugins folder (written by the test, loaded with no build step), and
 * one route matching events from two sources.
 */

/** What a user writes: a provider that signs with a shared token and sends `{ kind, priority, ... }`. */
const ACME_PLUGIN = `
import { timingSafeEqual } from 'node:crypto';
import { t } from 'switchboard/plugin-sdk';

export default {
  kind: 'acme',
  options: t.type({}),
  authenticate(request, secrets) {
    const token = request.headers['x-acme-token'];
    if (!token) return { ok: false, missing: true, error: 'missing X-Acme-Token header' };
    const given = Buffer.from(token);
    const index = secrets.findIndex((s) => s.length === token.length && timingSafeEqual(Buffer.from(s), given));
    return index >= 0 ? { ok: true, secretIndex: index } : { ok: false, missing: false, error: 'X-Acme-Token is wrong' };
  },
  decode(body) {
    if (typeof body !== 'object' || body === null || typeof body.kind !== 'string') {
      return { _tag: 'Left', left: { status: 400, error: 'not an acme alert', details: [{ path: 'kind', message: 'missing' }] } };
    }
    return { _tag: 'Right', right: { type: body.kind, fields: { priority: body.priority, team: body.team } } };
  },
  eventTypes: ['alert.opened', 'alert.closed'],
  fields: { priority: { kind: 'string' }, team: { kind: 'string' } },
  samples: { 'alert.opened': { kind: 'alert.opened', priority: 'high', team: 'payments' } },
};
`;

function acmeConfig(sinkUrl: string, match: string) {
  return `
sources:
  acme: { kind: acme, secret: acme-token-123 }
destinations:
  pager: { type: http, url: "${sinkUrl}/pager", body: event }
routes:
  - name: urgent
    match: ${match}
    to: [pager]
`;
}

describe('a source plugin dropped into plugins/', () => {
  it('receives a request, routes by its own declared field, and delivers', async () => {
    const plugins = tempDir('acme-plugins');
    plugins.write('acme.js', ACME_PLUGIN);
    const sink = await Sink.start();
    const gw = await startGateway(acmeConfig(sink.url, '{ priority: high }'), { pluginDirs: [plugins.dir] });
    try {
      const high = JSON.stringify({ kind: 'alert.opened', priority: 'high', team: 'payments' });
      const low = JSON.stringify({ kind: 'alert.opened', priority: 'low', team: 'search' });
      const a = await gw.post('acme', high, { 'X-Acme-Token': 'acme-token-123' });
      const b = await gw.post('acme', low, { 'X-Acme-Token': 'acme-token-123' });
      const refused = await gw.post('acme', high, { 'X-Acme-Token': 'guess' });
      expect([a.status, b.status, refused.status]).to.deep.equal([200, 200, 401]);
      await sink.waitFor(() => sink.requests.length >= 1, 'the high-priority alert');
      const delivered = sink.bodies<Record<string, unknown>>();
      expect(delivered).to.have.length(1);
      expect(delivered[0]).to.deep.include({
        id: a.body.id,
        source: 'acme',
        type: 'alert.opened',
        priority: 'high',
      });
      const lowEvent = await gw.service.store.getEvent({ id: b.body.id as string });
      expect(lowEvent?.unrouted).to.equal(true);
    } finally {
      await gw.stop();
      await sink.stop();
      plugins.cleanup();
    }
  });

  it('rejects a config naming an unknown field of that source at file:line, with a suggestion', async () => {
    const dir = tempDir('acme-config');
    mkdirSync(`${dir.dir}/plugins`);
    dir.write('plugins/acme.js', ACME_PLUGIN);
    const file = dir.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${dir.dir}/s.db }
plugins: { dirs: [./plugins] }
${acmeConfig('http://127.0.0.1:9', '{ priorty: high }')}`,
    );
    try {
      const result = await runCli(['check', '--config', file], { cwd: dir.dir });
      expect(result.code).to.equal(1);
      expect(result.stderr + result.stdout).to.contain(
        'config.yaml:10:14 routes[0].match.priorty: unknown field path "priorty" (did you mean priority?)',
      );
    } finally {
      dir.cleanup();
    }
  });

  it("signs a body for curl tests with the plugin's sign(), and says when a plugin has none (sign called its kind unknown)", async () => {
    const dir = tempDir('acme-sign');
    mkdirSync(`${dir.dir}/plugins`);
    const signing = ACME_PLUGIN.replace(
      '  eventTypes:',
      '  sign(secret) { return { "X-Acme-Token": secret }; },\n  eventTypes:',
    );
    dir.write('plugins/acme.js', signing);
    const file = dir.write('config.yaml', acmeConfig('http://127.0.0.1:9', '{ priority: high }'));
    const body = dir.write('body.json', '{"kind":"alert.opened"}');
    try {
      const signed = await runCli(['sign', '--config', file, body], { cwd: dir.dir });
      expect([signed.code, signed.stdout.trim(), signed.stderr]).to.deep.equal([
        0,
        'X-Acme-Token: acme-token-123',
        '',
      ]);
      dir.write('plugins/acme.js', ACME_PLUGIN);
      const unsigned = await runCli(['sign', '--config', file, body], { cwd: dir.dir });
      expect(unsigned.code).to.equal(1);
      expect(unsigned.stderr).to.match(
        /the acme source cannot sign bodies for tests: its plugin has no sign\(/,
      );
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a type the source does not declare, suggesting the one meant', async () => {
    const dir = tempDir('acme-type');
    mkdirSync(`${dir.dir}/plugins`);
    dir.write('plugins/acme.js', ACME_PLUGIN);
    const file = dir.write(
      'config.yaml',
      `store: { driver: sqlite, path: ${dir.dir}/s.db }
plugins: { dirs: [./plugins] }
${acmeConfig('http://127.0.0.1:9', '{ type: alert.opend }')}`,
    );
    try {
      const result = await runCli(['check', '--config', file], { cwd: dir.dir });
      expect(result.code).to.equal(1);
      expect(result.stderr + result.stdout).to.contain(
        'routes[0].match.type: "alert.opend" is not an event type (did you mean alert.opened?)',
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('a malformed source plugin', () => {
  it('is refused at load, naming its file and every problem, and a kind taken by a built-in too', async () => {
    const dir = tempDir('bad-sources');
    dir.write(
      'clash.js',
      "export default { kind: 'mta', options: { decode: () => ({}) }, authenticate() {}, decode() {}, eventTypes: 'open', fields: {} };",
    );
    dir.write(
      'shape.js',
      "export default { kind: 'Bad Kind', authenticate: 1, fields: { type: { kind: 'string' }, n: { kind: 'int' } } };",
    );
    try {
      const { sources, errors } = await loadPlugins([dir.dir]);
      expect([...sources.keys()]).to.deep.equal([]);
      expect(errors.join('\n')).to.match(
        /clash\.js: source kind "mta" is already provided by a built-in source/,
      );
      const shape = errors.find((e) => e.includes('shape.js')) ?? '';
      for (const problem of [
        '`kind` must be a lowercase name',
        '`options` must be an io-ts codec',
        '`authenticate` must be a function',
        '`decode` must be a function',
        'field "type" reuses the envelope',
        'field "n" needs kind string, number, boolean or json',
      ])
        expect(shape).to.contain(problem);
    } finally {
      dir.cleanup();
    }
  });
});

describe('one route over two sources', () => {
  it('delivers a failed MTA delivery status and a Standard Webhooks payment failure to one HTTP sink', async () => {
    const secret = `whsec_${Buffer.from('billing-key-0123456789abcdef').toString('base64')}`;
    const sink = await Sink.start();
    const gw = await startGateway(`
sources:
  mta: { kind: mta, version: 3, secret: mta-secret-0123456789 }
  billing: { kind: standard-webhooks, secret: "${secret}" }
destinations:
  incidents: { type: http, url: "${sink.url}/incidents", body: event }
routes:
  - name: money-or-messages-failing
    match:
      any:
        - status.failed: true
        - type: invoice.payment_failed
    to: [incidents]
`);
    try {
      const status = JSON.stringify({
        ...JSON.parse(readFixture('delivery-status')),
        status: 6,
      });
      const mta = await gw.post('mta', status, { 'X-Signature': sign('mta-secret-0123456789', status) });
      const invoice = JSON.stringify({ type: 'invoice.payment_failed', data: { invoice: 'in_42' } });
      const now = new Date();
      const sw = await gw.post('billing', invoice, {
        'webhook-id': 'msg_two_sources',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign('msg_two_sources', now, invoice),
      });
      expect([mta.status, sw.status]).to.deep.equal([200, 200]);
      await sink.waitFor(() => sink.requests.length >= 2, 'both events');
      const got = sink.bodies<{ id: string; source: string; type: string }>();
      expect(got.map((e) => [e.source, e.type]).sort()).to.deep.equal([
        ['billing', 'invoice.payment_failed'],
        ['mta', 'delivery-status'],
      ]);
      expect(got.map((e) => e.id).sort()).to.deep.equal([mta.body.id, sw.body.id].sort());
    } finally {
      await gw.stop();
      await sink.stop();
    }
  });
});

function readFixture(type: string): string {
  return readFileSync(`${ROOT}/test/fixtures/mta/v3/${type}.json`, 'utf8');
}
