import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Makes `dir` and its missing parents (`mkdir -p`), in a way that cannot spin. Node 20's recursive mkdir loops
 * forever, at full CPU, where a missing directory cannot be made although its parent exists: under /proc or
 * /sys mkdir answers ENOENT, and Node makes the parent and tries again, without end (`store.path:
 * /proc/x/sb.db` hung the start; a file destination there hung every attempt). This walks up to the nearest
 * level that exists and makes each level below it once. Throws what the system answers (ENOENT, EACCES,
 * EEXIST when a file stands where a directory should). Synchronous: a few stat calls, once per directory.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let level = resolve(dir); ; level = dirname(level)) {
    try {
      // A file where a directory should be: EEXIST, as the recursive mkdir answers.
      if (!statSync(level).isDirectory()) mkdirSync(level);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(level);
      if (dirname(level) === level) break;
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile: fine
    }
  }
}
