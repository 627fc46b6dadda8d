import { expect } from 'chai';
import pg from 'pg';
import { loadMigrations } from '../../src/store/migrations.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { runCli } from '../helpers/gateway.ts';
import { tempDir } from '../helpers/tmp.ts';
import { PG_URL } from '../scale/pg.ts';

/** An instance left on an older release beside upgraded ones (a rolling upgrade rolled back halfway). */
describe('a PostgreSQL schema migrated by a newer Switchboard', function () {
  this.timeout(60_000);
  const schema = `sb_newer_${process.pid}_${Date.now().toString(36)}`;
  const known = Math.max(
    ...loadMigrations(new URL('../../src/store/postgres/migrations/', import.meta.url)).map((m) => m.version),
  );
  const side = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const tmp = tempDir('pg-newer');
  before(async () => {
    const store = await openPostgresStore({ url: PG_URL, poolSize: 1, schema });
    await store.migrate();
    await store.close();
    await side.query(`INSERT INTO "${schema}".schema_migrations VALUES ($1, 'from_the_future', 0)`, [
      known + 1,
    ]);
  });
  after(async () => {
    await side.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await side.end();
    tmp.cleanup();
  });

  it('is refused at open with both schema versions and what to do, and left as it was', async () => {
    const config = tmp.write(
      'config.yaml',
      `store: { driver: postgres, url: "${PG_URL}", schema: ${schema} }
sources:
  mta: { kind: mta, allowUnsigned: true }
destinations:
  audit: { type: file, path: ${tmp.dir}/events.jsonl }
routes:
  - to: [audit]
`,
    );
    const r = await runCli(['events', '--config', config]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.include(
      `the PostgreSQL schema ${schema} was migrated by a newer Switchboard (schema ${known + 1}, this build knows ${known}): upgrade this instance, or point store.schema at another schema`,
    );
    const versions = await side.query(`SELECT version FROM "${schema}".schema_migrations`);
    expect(versions.rows).to.have.length(known + 1);
  });
});
