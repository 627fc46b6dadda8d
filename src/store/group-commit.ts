import type { IngestRequest, IngestResult, Store } from './types.ts';

/**
 * Group commit: requests that arrive while a commit is running (or in the same event-loop turn) are written
 * together in one transaction, so durability costs one fsync per batch instead of one per request. Each caller
 * still gets its answer only after its own batch is durable.
 */
export class GroupCommitter {
  private queue: Array<{
    req: IngestRequest;
    resolve: (r: IngestResult) => void;
    reject: (e: unknown) => void;
  }> = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly maxBatch = 500,
  ) {}

  /** Queues one request; resolves when it is committed. */
  submit(req: IngestRequest): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every request already parsed in this turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const results = await this.store.ingest(
        batch.map((b) => b.req),
        new Date(this.now()),
      );
      for (const [i, b] of batch.entries()) b.resolve(results[i]);
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
