import { TurnBatcher } from './turn-batcher.ts';
import type { IngestRequest, IngestResult, Store } from './types.ts';

/** Told after each commit which destinations got new deliveries (the dispatcher wakes their workers). */
export type EnqueuedSignal = (destinations: ReadonlySet<string>) => void;

/**
 * Group commit: requests that arrive while a commit is running (or in the same event-loop turn) are written
 * together in one transaction, so durability costs one fsync per batch instead of one per request. Each caller
 * still gets its answer only after its own batch is durable. After each commit, `enqueued` names the
 * destinations that got deliveries (duplicates add none): the one "deliveries enqueued" signal of ingest.
 * Batches commit one at a time unless the store says it commits several in parallel (ingestBatchesInFlight).
 */
export class GroupCommitter {
  private readonly batcher: TurnBatcher<IngestRequest, IngestResult>;

  constructor(store: Store, now: () => number, maxBatch = 500, enqueued?: EnqueuedSignal) {
    this.batcher = new TurnBatcher(
      async (batch) => {
        const results = await store.ingest({ batch, now: new Date(now()) });
        if (enqueued) {
          const destinations = new Set<string>();
          results.forEach((r, i) => {
            if (!r.duplicate) for (const d of batch[i].deliveries) destinations.add(d.destination);
          });
          if (destinations.size > 0) enqueued(destinations);
        }
        return results;
      },
      maxBatch,
      store.ingestBatchesInFlight ?? 1,
    );
  }

  /** Queues one request; resolves when it is committed. */
  submit(req: IngestRequest): Promise<IngestResult> {
    return this.batcher.submit(req);
  }
}
