import { bindOperations } from '../bind.ts';
import * as shared from '../operations.ts';
import { TurnBatcher } from '../turn-batcher.ts';
import type { CompleteArgs, Store } from '../types.ts';
import type { PgDb } from './db.ts';
import { INGEST_BATCHES_IN_FLIGHT, ingest } from './ingest.ts';
import { migrate } from './migrate.ts';
import * as queue from './queue.ts';

/** PostgreSQL's own operations: claims (SKIP LOCKED), leases, completions, ingest and migrations. */
export const POSTGRES_OPERATIONS = { ...queue, ingest, migrate };

/**
 * Completion batches committing at once: what arrives while they run forms the next one, as with ingest's
 * group commit.
 */
const COMPLETE_BATCHES_IN_FLIGHT = 2;

/**
 * The shared store for several gateway instances: a pg Pool over one schema. Completions made in one
 * event-loop turn (or while earlier ones commit) are committed together (queue.ts completeBatch); each caller
 * still gets its own answer after the commit.
 */
export function postgresStore(db: PgDb): Store {
  let closed = false;
  const ops = bindOperations(db, POSTGRES_OPERATIONS);
  const completions = new TurnBatcher<CompleteArgs, boolean>(
    (batch) => ops.completeBatch({ batch }),
    500,
    COMPLETE_BATCHES_IN_FLIGHT,
  );
  return {
    ...bindOperations(db, shared),
    ...ops,
    complete: (args) => completions.submit(args),
    ingestBatchesInFlight: INGEST_BATCHES_IN_FLIGHT,
    close: async () => {
      if (closed) return;
      closed = true;
      await completions.drain();
      await db.pool.end();
    },
  };
}
