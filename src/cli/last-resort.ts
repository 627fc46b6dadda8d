import type { Log } from '../observability/log.ts';

/** Extra time beyond the shutdown grace before a stop that has not finished is cut short (ms). */
export const STOP_MARGIN_MS = 5_000;

/**
 * The process-level safety net of `switchboard start`. A promise rejection nobody handled is a bug, not a
 * reason to stop serving: it is logged with its cause and the gateway goes on. An exception that reached the
 * top leaves the process in an unknown state: it is logged and the process exits 1, so a supervisor restarts
 * it (nothing acked is lost: it is in the store). Returns a function that removes the handlers.
 */
export function installLastResort(log: Log, exit: (code: number) => void = process.exit): () => void {
  const onRejection = (reason: unknown) =>
    log.error({ err: reason }, 'unhandled promise rejection (a bug; please report it); still serving');
  const onException = (err: unknown) => {
    log.fatal(
      { err },
      'uncaught exception (a bug; please report it); exiting so a supervisor restarts the gateway',
    );
    flushThen(log, () => exit(1));
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

/**
 * Ends the process if a graceful stop has not finished within `ms`: a store that hangs on close, or a plugin
 * that never returns, must not keep it alive after SIGTERM. The timer does not itself keep the process alive.
 */
export function stopDeadline(log: Log, ms: number, exit: (code: number) => void = process.exit): () => void {
  const timer = setTimeout(() => {
    log.error(
      { afterMs: ms },
      'shutdown did not finish in time; exiting anyway (queued work stays in the store)',
    );
    flushThen(log, () => exit(1));
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Writes out buffered log lines, then runs `then` (at most 1 s later, even if the log cannot be written). */
function flushThen(log: Log, then: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    then();
  };
  setTimeout(once, 1_000); // kept referenced: the process must not end with another code first
  try {
    log.flush(() => once());
  } catch {
    once();
  }
}
