import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { startGateway } from './service.ts';

/**
 * Redecoding after a source plugin is fixed, where the fix is only partly right: one kept body still makes it
 * throw, and one decodes into an event no store can write. Each is reported; the third is redecoded.
 */

const SECRET = 'redecode-secret-0123456789';

/** A plugin whose decode is `decodeBody`; the token is the secret itself. */
const plugin = (decodeBody: string) => `
import { t } from 'switchboard/plugin-sdk';
export default {
  kind: 'later',
  options: t.type({}),
  authenticate: (request, secrets) =>
    request.headers['x-token'] === secrets[0]
      ? { ok: true, secretIndex: 0 }
      : { ok: false, missing: false, error: 'wrong token' },
  decode(body) { ${decodeBody} },
  eventTypes: 'open',
  fields: {},
};
`;

/** Understands nothing yet: every body is kept as unrecognized. */
const V1 = plugin(
  "return { _tag: 'Left', left: { status: 400, error: 'not understood yet', details: [] } };",
);

/** The fix: throws on one body, and gives another a field no store can write (a BigInt). */
const V2 = plugin(`
  if (body.n === 'throws') throw new Error('still a bug in later');
  if (body.n === 'bigint') return { _tag: 'Right', right: { type: 'ping', fields: { big: 10n } } };
  return { _tag: 'Right', right: { type: 'ping' } };
`);

describe('redecode after a source plugin is fixed', () => {
  it('reports the event the plugin still throws on and the one it decodes into no JSON, and redecodes the rest', async () => {
    const tmp = tempDir('plugin-redecode');
    mkdirSync(`${tmp.dir}/v1`);
    mkdirSync(`${tmp.dir}/v2`);
    tmp.write('v1/later.js', V1);
    tmp.write('v2/later.js', V2);
    const yaml = `sources:\n  later: { kind: later, secret: ${SECRET} }\n`;
    const store = `{ driver: sqlite, path: ${tmp.dir}/shared.db }`;
    const ids: Record<string, string> = {};
    const first = await startGateway(yaml, { pluginDirs: [`${tmp.dir}/v1`], store });
    try {
      for (const n of ['throws', 'bigint', 'fine']) {
        const res = await first.post('later', JSON.stringify({ n }), { 'x-token': SECRET });
        expect(res.status).to.equal(200);
        ids[n] = res.body.id as string;
      }
    } finally {
      await first.stop();
    }
    // The fixed plugin in its own folder, as a restart would load it; the CLI, as an operator runs it.
    const file = tmp.write(
      'fixed.yaml',
      `store: ${store}\nplugins: { dirs: [${ROOT}/plugins, ${tmp.dir}/v2] }\n${yaml}`,
    );
    try {
      const run = await runCli(['redecode', '--config', file, '--json'], { cwd: tmp.dir });
      expect(run.code, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      expect(report.examined).to.equal(3);
      expect(report.redecoded.map((r: { from: string }) => r.from)).to.deep.equal([ids.fine]);
      const still = Object.fromEntries(
        report.stillUndecodable.map((u: { id: string; problem: string }) => [u.id, u.problem]),
      );
      expect(Object.keys(still).sort()).to.deep.equal([ids.throws, ids.bigint].sort());
      expect(still[ids.throws]).to.contain(
        'the later source plugin failed while decoding: still a bug in later',
      );
      expect(still[ids.bigint]).to.contain('fields.big is a bigint');
      expect(report.failed).to.deep.equal([]);
    } finally {
      tmp.cleanup();
    }
  });
});
