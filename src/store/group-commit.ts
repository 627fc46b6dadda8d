import { TurnBatcher } from './turn-batcher.ts';
import type { IngestRequest, IngestResult, Store } from './types.ts';

/**
 * Group commit: requests that arrive while a commit is running (or in the same event-loop turn) are written
 * together in one transaction, so durability costs one fsync per batch instead of one per request. Each caller
 * still gets its answer only after its own batch is durable.
 */
export class GroupCommitter {
  private readonly batcher: TurnBatcher<IngestRequest, IngestResult>;

  constructor(store: Store, now: () => number, maxBatch = 500) {
    this.batcher = new TurnBatcher((batch) => store.ingest({ batch, now: new Date(now()) }), maxBatch);
  }

  /** Queues one request; resolves when it is committed. */
  submit(req: IngestRequest): Promise<IngestResult> {
    return this.batcher.submit(req);
  }
}
