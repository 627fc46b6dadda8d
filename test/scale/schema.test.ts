import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { sign } from '../../src/ingress/signature.ts';
import { GatewayProcess, runCli } from '../helpers/gateway.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { PG_URL } from './pg.ts';

const SECRET = 'schema-test-secret-0123456789';

describe('store.schema on PostgreSQL', function () {
  this.timeout(60_000);

  it('keeps the gateway’s tables in the configured schema, created by the migrations', async () => {
    const schema = `sb_schema_${process.pid}_${Date.now().toString(36)}`;
    const tmp = tempDir('pg-schema');
    const config = tmp.write(
      'config.yaml',
      `server: { port: 0 }
admin: { listen: "127.0.0.1:0" }
sources:
  mta: { kind: mta, secret: "${SECRET}" }
store: { driver: postgres, url: "${PG_URL}", schema: ${schema}, poolSize: 4 }
destinations:
  audit: { type: file, path: "${tmp.dir}/events.jsonl" }
routes:
  - to: [audit]
`,
    );
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    const gw = await GatewayProcess.start(config);
    try {
      const body = readFileSync(join(ROOT, 'test/fixtures/mta/v3/number-opt-in.json'));
      const res = await gw.post('/webhooks/mta', body, { 'x-signature': sign(SECRET, body) });
      expect(res.status).to.equal(200);
      const { rows } = await admin.query(`SELECT id FROM "${schema}".events`);
      expect(rows.map((r) => r.id)).to.deep.equal([res.json.id]);
      const listed = await runCli(['deliveries', '--json', '--config', config]);
      expect(JSON.parse(listed.stdout)[0].eventId).to.equal(res.json.id);
    } finally {
      await gw.stop();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      tmp.cleanup();
    }
  });

  it('refuses a schema name that is not a plain lowercase identifier', async () => {
    const tmp = tempDir('pg-schema-bad');
    const config = tmp.write(
      'config.yaml',
      `sources:\n  mta: { kind: mta, secret: x }\nstore: { driver: postgres, url: "${PG_URL}", schema: "Bad-Name" }\n`,
    );
    const r = await runCli(['check', '--config', config]);
    tmp.cleanup();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/store\.schema: expected a lowercase schema name/);
  });
});
