import { userInfo } from 'node:os';
import { expect } from 'chai';
import pg from 'pg';
import type { SourceConfig } from '../../src/config/types.ts';
import { newId } from '../../src/ids.ts';
import { unrecognizedEvent } from '../../src/ingress/quarantine.ts';
import { redecode } from '../../src/ingress/redecode.ts';
import type { MtaEvent } from '../../src/sources/mta/event.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/types.ts';
import { built, loadText } from '../config/helpers.ts';
import { tempDir } from '../helpers/tmp.ts';

const url = process.env.SWITCHBOARD_TEST_PG_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
const NOW = new Date('2031-03-04T05:06:07.000Z');
const CONFIG = `
sources:
  mta: { kind: mta, version: 3, secret: s3cr3t-value }
destinations:
  audit: { type: file, path: ./events.jsonl }
routes:
  - name: everything
    to: [audit]
`;

/** A V3 status without externalId, quarantined while its source was (wrongly) set to V1. */
async function quarantine(store: Store, source: SourceConfig, messageId = 7): Promise<string> {
  const raw = Buffer.from(
    JSON.stringify({ destinationNumber: '+13125550143', messageId, status: 4, type: 'delivery-status' }),
  );
  const event = unrecognizedEvent({
    id: newId(NOW.getTime()),
    source: { ...source, options: { version: 1, defaultCountry: '1' } },
    receivedAt: NOW.toISOString(),
    raw,
    payload: JSON.parse(raw.toString()),
    why: {
      error: 'invalid delivery-status payload (MTA V1)',
      details: [{ path: 'externalId', message: 'is required' }],
    },
  });
  const [result] = await store.ingest({
    batch: [{ event, bodyHash: `h${messageId}`, dedupeWindowMs: 86_400_000, routes: [], deliveries: [] }],
    now: NOW,
  });
  return result.id;
}

const backends: Array<{
  name: string;
  open: () => Promise<{ a: Store; b: Store; drop: () => Promise<void> }>;
}> = [
  {
    name: 'SQLite',
    async open() {
      const tmp = tempDir('redecode');
      const a = openSqliteStore(`${tmp.dir}/s.db`);
      await a.migrate();
      const b = openSqliteStore(`${tmp.dir}/s.db`);
      return { a, b, drop: async () => tmp.cleanup() };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const schema = `sb_redecode_${process.pid}_${Date.now().toString(36)}`;
      const a = await openPostgresStore({ url, poolSize: 2, schema });
      await a.migrate();
      const b = await openPostgresStore({ url, poolSize: 2, schema });
      return {
        a,
        b,
        async drop() {
          const pool = new pg.Pool({ connectionString: url, max: 1 });
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`redecode on ${backend.name}`, () => {
    let a: Store;
    let b: Store;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      ({ a, b, drop } = await backend.open());
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await drop();
    });

    it('turns a quarantined event into one routed event even when two instances run it at once', async () => {
      const config = built(await loadText(CONFIG));
      const original = await quarantine(a, config.sources.get('mta')!);
      const [one, two] = await Promise.all([
        redecode({ store: a, config, now: NOW }),
        redecode({ store: b, config, now: NOW }),
      ]);
      expect(one.redecoded.length + two.redecoded.length).to.equal(1);
      expect(one.already + two.already).to.equal(1);
      const made = [...one.redecoded, ...two.redecoded][0];
      expect(made).to.deep.include({ from: original, type: 'delivery-status', destinations: ['audit'] });

      const deliveries = await a.listDeliveries({ filter: { destination: 'audit' }, limit: 10 });
      expect(deliveries.items.map((d) => d.eventId)).to.deep.equal([made.id]);
      const detail = await a.getEvent({ id: made.id });
      expect(detail!.event).to.deep.include({ redecodedFrom: original, phone: '+13125550143', messageId: 7 });
      expect((detail!.event as MtaEvent).status?.name).to.equal('DELIVERED');

      const again = await redecode({ store: b, config, now: new Date(NOW.getTime() + 86_400_000 * 30) });
      expect(again).to.deep.include({ examined: 1, already: 1, redecoded: [] });
      expect((await a.listDeliveries({ filter: { destination: 'audit' }, limit: 10 })).items).to.have.length(
        1,
      );
    });

    it('reports an event the store refuses under failed, redecodes the others, and takes it on a later run', async () => {
      const config = built(await loadText(CONFIG));
      const source = config.sources.get('mta')!;
      const broken = await quarantine(a, source, 7);
      const fine = await quarantine(a, source, 8);
      // The real store, refusing the one new event made from `broken` (as a full disk or a lost connection would).
      const refusing = new Proxy(a, {
        get(target, prop) {
          if (prop === 'ingest')
            return async (args: Parameters<Store['ingest']>[0]) => {
              if (args.batch.some((r) => r.event.redecodedFrom === broken))
                throw new Error(`cannot write (password ${'s3cr3t-value'})`);
              return target.ingest(args);
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const first = await redecode({ store: refusing, config, now: NOW });
      expect(first.examined).to.equal(2);
      expect(first.redecoded.map((r) => r.from)).to.deep.equal([fine]);
      expect(first.failed).to.deep.equal([{ id: broken, error: 'cannot write (password [redacted])' }]);
      const later = await redecode({ store: a, config, now: NOW });
      expect(later).to.deep.include({ examined: 2, already: 1, failed: [] });
      expect(later.redecoded.map((r) => r.from)).to.deep.equal([broken]);
    });

    it('filters by source and since, and leaves events of sources no longer configured', async () => {
      const config = built(await loadText(CONFIG));
      await quarantine(a, { ...config.sources.get('mta')!, name: 'old' });
      expect(await redecode({ store: a, config, now: NOW, source: 'mta' })).to.deep.include({ examined: 0 });
      const later = new Date(NOW.getTime() + 1000);
      expect(await redecode({ store: a, config, now: NOW, since: later })).to.deep.include({ examined: 0 });
      expect(await redecode({ store: a, config, now: NOW })).to.deep.include({
        examined: 1,
        unknownSource: 1,
      });
    });
  });
}
