import pg from 'pg';

/** The test server (trust auth); the user is explicit because the environment may have no USER. */
export const PG_URL = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

/**
 * A schema of its own on the test server, for gateways that share it. Selected in the URL here (the
 * `store.schema` key is tested in schema.test.ts): `options=-c search_path=<schema>` makes it the first (and
 * only) entry of every pooled connection's search_path, and the store's unqualified SQL, migrations included,
 * lands there. A search_path does not create the schema, so it is created here first.
 */
export class TestSchema {
  private readonly pool: pg.Pool;

  private constructor(readonly name: string) {
    this.pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    this.pool.on('error', () => {});
  }

  /** Creates a fresh, empty schema whose name starts with `prefix`. */
  static async create(prefix: string): Promise<TestSchema> {
    const schema = new TestSchema(`${prefix}_${process.pid}_${Date.now().toString(36)}`);
    await schema.pool.query(`CREATE SCHEMA "${schema.name}"`);
    return schema;
  }

  /** The DATABASE_URL gateways use: the test server with this schema as the search_path. */
  get url(): string {
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${this.name}`);
    return url.toString();
  }

  /** Runs SQL with this schema first on the search_path. */
  async query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    const client = await this.pool.connect();
    try {
      await client.query(`SET search_path TO "${this.name}"`);
      return (await client.query<T>(sql, values)).rows;
    } finally {
      client.release();
    }
  }

  /** Drops the schema with everything in it and closes the pool. */
  async drop(): Promise<void> {
    try {
      await this.pool.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
    } finally {
      await this.pool.end();
    }
  }
}

/** Resolves when `check` holds, looking every 100 ms; rejects after `timeoutMs` with `what` in the message. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
