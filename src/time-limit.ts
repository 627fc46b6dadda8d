/**
 * `work`, or a rejection with `failure()` once `ms` have passed, whichever comes first. The work itself cannot be
 * stopped and goes on; its late failure is swallowed, as the timeout has already been reported. For answers that
 * must come in bounded time from something that may hang (a locked store, a plugin file that never loads).
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, failure: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure()), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}
