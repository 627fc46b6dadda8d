import type { ActivityBucket } from './types.ts';

/**
 * The console chart's counts, one SQL text for both dialects (times are epoch ms in BIGINT/INTEGER, so integer
 * division buckets them). Parameters in order: bucket ms, bucket ms, since, until; `ph` writes the n-th
 * placeholder (`?` or `$n`, the bucket size cast to an integer where the dialect needs it).
 * `received` counts events by receivedAt; `delivered` and `failed` count attempts by their start (failed: every
 * attempt that did not deliver, retries included, so a flapping destination shows; a throttled try is no failure).
 */
export function activitySql(ph: (n: number) => string): { received: string; attempts: string } {
  return {
    received: `SELECT (received_at / ${ph(1)}) * ${ph(2)} AS bucket, COUNT(*) AS n
      FROM events WHERE received_at >= ${ph(3)} AND received_at < ${ph(4)} GROUP BY 1 ORDER BY 1`,
    attempts: `SELECT (started_at / ${ph(1)}) * ${ph(2)} AS bucket,
        SUM(CASE WHEN outcome = 'delivered' THEN 1 ELSE 0 END) AS delivered,
        SUM(CASE WHEN outcome IN ('delivered', 'throttled') THEN 0 ELSE 1 END) AS failed
      FROM attempts WHERE started_at >= ${ph(3)} AND started_at < ${ph(4)} GROUP BY 1 ORDER BY 1`,
  };
}

/** Every bucket from since to until, zeros where nothing happened, from the two queries' rows. */
export function fillActivity(
  since: number,
  until: number,
  bucketMs: number,
  received: Array<{ bucket: number | string; n: number | string }>,
  attempts: Array<{ bucket: number | string; delivered: number | string; failed: number | string }>,
): ActivityBucket[] {
  const start = Math.floor(since / bucketMs) * bucketMs;
  const out: ActivityBucket[] = [];
  const index = new Map<number, ActivityBucket>();
  for (let t = start; t < until; t += bucketMs) {
    const b = { at: new Date(t).toISOString(), received: 0, delivered: 0, failed: 0 };
    out.push(b);
    index.set(t, b);
  }
  for (const r of received) {
    const b = index.get(Number(r.bucket));
    if (b) b.received = Number(r.n);
  }
  for (const r of attempts) {
    const b = index.get(Number(r.bucket));
    if (b) {
      b.delivered = Number(r.delivered);
      b.failed = Number(r.failed);
    }
  }
  return out;
}
