/**
 * Forced garbage collection, for tests of code that must keep working when the collector runs at a bad
 * moment. mocha runs without --expose-gc, so the flag is switched on here and `gc` fetched from a fresh context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage every `everyMs` until the returned function is called. */
export function collectGarbageOften(everyMs = 10): () => void {
  const timer = setInterval(gc, everyMs);
  return () => clearInterval(timer);
}
