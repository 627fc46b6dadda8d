import { readdirSync, readFileSync } from 'node:fs';

/** One numbered migration file, e.g. `001_init.sql` → version 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d+)_([\w-]+)\.sql$/;

/** Reads a backend's numbered migration files in order; a gap or a repeated number is a bug, so it throws. */
export function loadMigrations(dir: URL): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => FILE.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2], sql: readFileSync(new URL(m[0], dir), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations in ${dir.pathname}: expected ${i + 1}, found ${m.version}`);
  });
  return migrations;
}
