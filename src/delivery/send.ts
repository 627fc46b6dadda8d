import type { Clock } from '../clock.ts';
import { deadline } from '../destinations/deadline.ts';
import { classifyFailure, type SendFailure } from '../destinations/errors.ts';

/** How one send went, with its times (epoch ms); `resumeAt` when it was throttled. */
export interface Sent {
  failure?: SendFailure;
  started: number;
  finished: number;
  resumeAt?: number;
}

class AttemptTimeout extends Error {
  constructor(ms: number, target: string | undefined) {
    super(`no answer${target ? ` from ${target}` : ''} within the ${ms} ms attempt timeout`);
    this.name = 'TimeoutError';
  }
}

/**
 * One send under the attempt timeout (`timeoutMs`) and the worker's shutdown signal: what it threw classified
 * as a SendFailure (a timeout is transient), with its start and end times. `'interrupted'` when shutdown cut it
 * short: not a verdict on the destination, so nothing is recorded and the delivery is sent again later.
 * `target` (the destination's Destination.target) is named in the timeout's message.
 */
export async function sendOnce(
  { timeoutMs, target }: { timeoutMs: number; target?: string },
  shutdown: AbortSignal,
  clock: Clock,
  send: (signal: AbortSignal) => Promise<void>,
): Promise<Sent | 'interrupted'> {
  const limit = deadline(shutdown, timeoutMs, () => new AttemptTimeout(timeoutMs, target));
  const started = clock.now();
  let failure: SendFailure | undefined;
  try {
    const aborted = new Promise<never>((_, reject) => {
      limit.signal.addEventListener('abort', () => reject(limit.signal.reason), { once: true });
    });
    // The race enforces the timeout even for a plugin that ignores the signal.
    await Promise.race([send(limit.signal), aborted]);
  } catch (err) {
    failure =
      err instanceof AttemptTimeout
        ? { kind: 'transient', message: err.message, reason: 'timeout' }
        : classifyFailure(err);
  } finally {
    limit.dispose();
  }
  if (shutdown.aborted && failure) return 'interrupted';
  return { failure, started, finished: clock.now() };
}
