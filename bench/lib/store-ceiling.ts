import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { ingestRequests } from './prefill.ts';
import { median } from './stats.ts';

/** The SQLite store's own ingest rate at one batch size. */
export interface StoreCeiling {
  batch: number;
  /** Events committed per second (median of the rounds). */
  eventsPerS: number;
  /** CPU (user+sys) of the process per event, in µs (median). */
  cpuUsPerEvent: number;
  rounds: number[];
}

/**
 * The store alone: the gateway's SQLite ingest (same rows, same dedupe key, synchronous=FULL commits) called in a
 * loop in this process, with no HTTP, no decoding and no other thread. The batch sizes are those group commit
 * forms at 16 connections (about half the connections wait on each commit). A durable ingest can go no faster
 * than this, whatever the HTTP side costs.
 */
export async function storeCeiling(
  configPath: string,
  path: string,
  opts: { batches: number[]; events: number; rounds: number },
): Promise<StoreCeiling[]> {
  const requests = await ingestRequests(configPath);
  const store = openSqliteStore(path);
  await store.migrate();
  const runs = new Map<number, Array<{ rate: number; cpu: number }>>(opts.batches.map((b) => [b, []]));
  try {
    for (let r = 0; r < opts.rounds; r++) {
      for (const batch of r % 2 === 0 ? opts.batches : [...opts.batches].reverse()) {
        const work = Array.from({ length: Math.ceil(opts.events / batch) }, () =>
          requests.next(batch, Date.now()),
        );
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (const b of work) await store.ingest({ batch: b, now: new Date() });
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const n = work.length * batch;
        runs.get(batch)!.push({ rate: n / seconds, cpu: (cpu.user + cpu.system) / n });
      }
    }
  } finally {
    await store.close();
  }
  return opts.batches.map((batch) => {
    const rs = runs.get(batch)!;
    return {
      batch,
      eventsPerS: median(rs.map((x) => x.rate)),
      cpuUsPerEvent: median(rs.map((x) => x.cpu)),
      rounds: rs.map((x) => x.rate),
    };
  });
}
