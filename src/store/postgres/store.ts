import { bindOperations } from '../bind.ts';
import * as shared from '../operations.ts';
import type { Store } from '../types.ts';
import type { PgDb } from './db.ts';
import { INGEST_BATCHES_IN_FLIGHT, ingest } from './ingest.ts';
import { migrate } from './migrate.ts';
import * as queue from './queue.ts';

/** PostgreSQL's own operations: claims (SKIP LOCKED), leases, completions, ingest and migrations. */
export const POSTGRES_OPERATIONS = { ...queue, ingest, migrate };

/** The shared store for several gateway instances: a pg Pool over one schema. */
export function postgresStore(db: PgDb): Store {
  let closed = false;
  return {
    ...bindOperations(db, shared),
    ...bindOperations(db, POSTGRES_OPERATIONS),
    ingestBatchesInFlight: INGEST_BATCHES_IN_FLIGHT,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.pool.end();
    },
  };
}
