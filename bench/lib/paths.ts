import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Scratch space for bench runs (gitignored). */
export const SCRATCH = join(ROOT, 'bench/results/tmp');

/** A fresh scratch directory; `cleanup` removes it. */
export function scratchDir(prefix: string): { dir: string; cleanup(): void } {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, `${prefix}-`));
  // Retries: a just-killed redis-server may still be closing its files.
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }) };
}
