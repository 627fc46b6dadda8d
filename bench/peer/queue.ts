import type { JobsOptions } from 'bullmq';

/** The peer's one BullMQ queue. */
export const QUEUE = 'webhooks';

/** A job: the parsed webhook body and when the peer's app received it (ISO 8601, for the sink's lag). */
export interface WebhookJob {
  event: unknown;
  receivedAt: string;
}

/**
 * Job options as the gateway's bench config delivers (bench/lib/config.ts: attempts 10, backoff from 1 s,
 * doubling). Completed jobs are trimmed to the last 1,000, as BullMQ's docs advise for production queues
 * (the default keeps every one in Redis forever); failed jobs are kept.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: false,
};

/** Deliveries in flight at once, as the gateway's bench config (`concurrency: 16`). */
export const CONCURRENCY = 16;

/** Per-attempt HTTP timeout, as the gateway's bench config (`timeout: 10s`). */
export const TIMEOUT_MS = 10_000;
