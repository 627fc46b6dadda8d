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

/** One call's answer: its result, or the error it failed with. */
export type Answer = { result: unknown } | { error: unknown };

/**
 * Runs QUEUE_WRITES calls in order in one transaction (SqliteDb.allOrNothing), and answers each. When one of them
 * fails, or the commit does, nothing is committed and they are run again one by one, each in its own
 * transaction, so each gets its own answer as it would have alone. The operations do their SQL synchronously
 * when called (better-sqlite3), so their promises are settled before the commit.
 */
export async function runInOneTransaction(
  store: SQLiteStore,
  calls: ReadonlyArray<{ method: QueueWrite; args: unknown }>,
): Promise<Answer[]> {
  const run = ({ method, args }: (typeof calls)[number]) =>
    (store[method] as (a: unknown) => Promise<unknown>)(args);
  let together: Array<Promise<unknown>> | undefined;
  try {
    together = store.db.allOrNothing(
      calls.map((call) => () => {
        const result = run(call);
        result.catch(() => {}); // read below, once committed
        return result;
      }),
      'queue',
    );
  } catch {
    together = undefined; // BEGIN or COMMIT failed: nothing committed, each call finds out on its own below
  }
  const answers: Answer[] = [];
  for (const [i, call] of calls.entries()) {
    const result = together ? together[i] : run(call);
    answers.push(
      await result.then(
        (value) => ({ result: value }),
        (error: unknown) => ({ error }),
      ),
    );
  }
  return answers;
}
