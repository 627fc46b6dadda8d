import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';

/**
 * A claimer in its own thread, so two connections really contend for the SQLite write lock (in one thread
 * better-sqlite3 runs each call to completion and two stores never overlap). Claims until the queue is empty.
 */
const { path, owner, now } = workerData as { path: string; owner: string; now: number };
const store = openSqliteStore(path);
const claimed: string[] = [];
for (;;) {
  const batch = await store.claim({
    destination: 'crm',
    limit: 3,
    owner,
    leaseMs: 30_000,
    now: new Date(now),
  });
  if (batch.length === 0) break;
  claimed.push(...batch.map((c) => c.id));
}
await store.close();
parentPort?.postMessage(claimed);
