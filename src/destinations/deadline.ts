/**
 * A time limit for one attempt, as an AbortSignal that plugins and the queue hand to the request they make.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 the composite holds its sources weakly
 * and the timeout's timer holds its signal weakly, so a garbage collection during a slow request can drop the
 * timeout altogether, and a request to a receiver that never answers then hangs until fetch's own five-minute
 * limit. Here the timer and the parent's listener hold the controller, so the abort always arrives.
 */

/** A running deadline; call `dispose()` once the attempt is over so the timer does not outlive it. */
export interface Deadline {
  /** Aborts when the parent aborts (with its reason), or after `ms` (with a TimeoutError, or `reason()`). */
  readonly signal: AbortSignal;
  /** The limit in milliseconds, for messages. */
  readonly ms: number;
  /** True once the time limit (not the parent) aborted the signal. */
  readonly expired: boolean;
  dispose(): void;
}

/** Starts a deadline of `ms` that also follows `parent` (the attempt's or the service's signal). */
export function deadline(parent: AbortSignal | undefined, ms: number, reason?: () => unknown): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(reason ? reason() : new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    ms,
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
