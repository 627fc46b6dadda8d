import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repo root (tests run from it). */
export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A temporary directory under `parent`: by default .tmp/ inside the repo, so plugins there resolve node_modules
 * (and are ES modules, as the repo's package.json says); removed by `cleanup`.
 */
export function tempDir(
  prefix: string,
  parent: string = join(ROOT, '.tmp'),
): {
  dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
} {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${prefix}-`));
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
