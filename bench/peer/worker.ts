/**
 * The peer's delivery: a BullMQ worker that POSTs each job to the delivery sink (SINK_URL) as JSON
 * `{ id: <job id>, receivedAt, event }` (the sink counts `id`s and the lag from `receivedAt`). A non-2xx answer,
 * a timeout (10 s) or a connection error fails the attempt, and BullMQ retries it with the job's backoff
 * (bench/peer/queue.ts). 16 deliveries in flight.
 *
 * Run as its own process: `REDIS_PORT=… SINK_URL=… node --import tsx bench/peer/worker.ts`; prints one JSON
 * line `{"msg":"peer worker listening","url":"redis://…"}` once it is connected and taking jobs.
 */
import { Worker } from 'bullmq';
import { CONCURRENCY, QUEUE, TIMEOUT_MS, type WebhookJob } from './queue.ts';

const port = Number(process.env.REDIS_PORT);
const sinkUrl = process.env.SINK_URL ?? '';

const worker = new Worker<WebhookJob>(
  QUEUE,
  async (job) => {
    const res = await fetch(sinkUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: job.id, receivedAt: job.data.receivedAt, event: job.data.event }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`the sink answered ${res.status}`);
  },
  {
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    concurrency: CONCURRENCY,
  },
);
worker.on('error', (err) =>
  process.stderr.write(`${JSON.stringify({ msg: 'worker error', err: err.message })}\n`),
);

await worker.waitUntilReady();
process.stdout.write(
  `${JSON.stringify({ msg: 'peer worker listening', url: `redis://127.0.0.1:${port}` })}\n`,
);
process.once('SIGTERM', () => void worker.close().finally(() => process.exit(0)));
