import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repo root (tests run from it). */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A temporary directory under .tmp/ (inside the repo so plugins there resolve node_modules); removed by `cleanup`. */
export function tempDir(prefix: string): {
  dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
} {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', `${prefix}-`));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
