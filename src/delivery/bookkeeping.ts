/** Waits before the second try of a store write; doubles up to BOOKKEEPING_MAX_DELAY_MS. */
const FIRST_DELAY_MS = 250;
/** Longest wait between tries of a store write (ms). */
export const BOOKKEEPING_MAX_DELAY_MS = 5_000;

/**
 * Runs a delivery's bookkeeping write (recording an attempt's outcome) until the store takes it. The send has
 * already happened, so giving up would leave the delivery `sending` until its lease expires and then send it
 * again; a store outage (restart, cut connection, full disk) instead delays the record until the store is back.
 * Each failure is reported to `failed` with the try's number. Resolves `'abandoned'` when `signal` aborts
 * (shutdown): the lease then expires, or is released, and the delivery is sent again (at-least-once).
 * The write must be idempotent: a retried completion only moves a delivery this owner still holds.
 */
export async function untilStored<T>(
  write: () => Promise<T>,
  opts: { signal: AbortSignal; failed(err: unknown, tries: number): void },
): Promise<T | 'abandoned'> {
  let delay = FIRST_DELAY_MS;
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (err) {
      opts.failed(err, tries);
    }
    if (opts.signal.aborted || !(await pause(delay, opts.signal))) return 'abandoned';
    delay = Math.min(BOOKKEEPING_MAX_DELAY_MS, delay * 2);
  }
}

/** Sleeps `ms`; false when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
