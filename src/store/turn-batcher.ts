/**
 * Gathers the calls made in one event-loop turn (up to `maxBatch`) into one batch for `run`, which answers
 * each item with a result or an Error (that item's caller gets it thrown). One batch is in flight at a time;
 * what arrives meanwhile forms the next. If `run` itself throws, every caller of that batch gets the error.
 */
export class TurnBatcher<Item, Result> {
  private queue: Array<{ item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly run: (batch: Item[]) => Promise<Array<Result | Error>>,
    private readonly maxBatch = 500,
  ) {}

  /** Queues one item; resolves with its result once its batch has run. */
  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been answered. */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      if (!this.running) this.flush();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every call made in this turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = this.run(batch.map((b) => b.item))
      .then(
        (results) => {
          for (const [i, b] of batch.entries()) {
            const r = results[i];
            if (r instanceof Error) b.reject(r);
            else b.resolve(r);
          }
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      )
      .finally(() => {
        this.running = null;
        this.schedule();
      });
  }
}
