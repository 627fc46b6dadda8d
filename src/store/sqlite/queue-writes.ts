import type { SQLiteStore } from './store.ts';

/**
 * The delivery bookkeeping that commits at `queue` durability: completions and claims waiting together at the
 * store thread share one transaction (runInOneTransaction). They write the same pages (the deliveries table and
 * its state indexes), so one commit writes them once: with the store alone, batches of 8, a completion and the
 * next claim wrote 30.0 WAL pages in two transactions and 24.6 in one.
 */
export const QUEUE_WRITES = new Set(['completeBatch', 'claimRaw'] as const);

/** An operation in QUEUE_WRITES. */
export type QueueWrite = typeof QUEUE_WRITES extends Set<infer M> ? M : never;

/** Whether `method` is one of QUEUE_WRITES. */
export function isQueueWrite(method: string): method is QueueWrite {
  return (QUEUE_WRITES as ReadonlySet<string>).has(method);
}

/** One call's answer: its result, or the error it alone failed with. */
export type Answer = { result: unknown } | { error: unknown };

/**
 * Runs QUEUE_WRITES calls in order in one transaction, each in a savepoint of its own (SqliteDb.transaction
 * nests), so one that fails is rolled back alone and answered with its error. The answers are read after the
 * commit; if the commit fails, every call is answered with its error. The operations do their SQL synchronously
 * when called (better-sqlite3), so their promises are settled before the commit.
 */
export async function runInOneTransaction(
  store: SQLiteStore,
  calls: ReadonlyArray<{ method: QueueWrite; args: unknown }>,
): Promise<Answer[]> {
  const results: Array<Promise<unknown>> = [];
  let aborted: Promise<unknown> | undefined;
  try {
    store.db.transaction(() => {
      for (const { method, args } of calls) {
        const result = (store[method] as (a: unknown) => Promise<unknown>)(args);
        result.catch(() => {}); // answered below, not thrown here: it must not roll back the others
        results.push(result);
        // SQLite rolls the whole transaction back on some errors (a full disk, I/O): the calls before it are
        // undone with it, and no later one may run (and commit) on its own.
        if (!store.db.raw.inTransaction) {
          aborted = result;
          throw new Error('SQLite rolled the transaction back');
        }
      }
    }, 'queue');
  } catch (err) {
    const error = aborted
      ? await aborted.then(
          () => err,
          (cause: unknown) => cause,
        )
      : err;
    return calls.map(() => ({ error }));
  }
  const settled = await Promise.allSettled(results);
  return settled.map((s) => (s.status === 'fulfilled' ? { result: s.value } : { error: s.reason }));
}
