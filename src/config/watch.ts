import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';

/** A running watch. `ready` resolves once the watcher listens; `close` stops it. */
export interface ConfigWatch {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Files beside a config that change all the time and are never config (a SQLite store kept next to it). */
const NOISE = /\.(db|sqlite3?)(-wal|-shm|-journal)?$/;

function digest(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // between an editor's unlink and rename: look again on the next event
  }
}

/**
 * Calls `onChange` once per change of the config file's content, however it was saved. The watch is on the
 * file's folder (chokidar), not on the file: editors, `sed -i` and Kubernetes ConfigMaps (a `..data` symlink
 * swapped for a new folder) replace the file by a rename, and a watch on the old inode would go deaf after the
 * first save. Any event in the folder re-reads the file after `debounceMs`; only a new content hash counts, so
 * a save in several steps, a touch, or an unrelated file reloads nothing.
 */
export function watchConfig(file: string, onChange: () => void, debounceMs = 200): ConfigWatch {
  const path = resolve(file);
  let last = digest(path);
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const now = digest(path);
    if (now === undefined || now === last) return;
    last = now;
    onChange();
  };
  const watcher = watch(dirname(path), {
    depth: 0,
    ignoreInitial: true,
    ignored: (p: string) => p !== dirname(path) && NOISE.test(basename(p)),
  });
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  });
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  return {
    ready,
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}

/**
 * Calls `onChange(file)` when a file under the plugin folders changes. Plugin code is loaded once per process
 * (Node caches ES modules), so the caller says plainly that a restart is needed.
 */
export function watchPluginCode(dirs: readonly string[], onChange: (file: string) => void): ConfigWatch {
  const watcher = watch([...dirs], {
    ignoreInitial: true,
    ignored: (p: string) => p.includes('node_modules'),
  });
  watcher.on('change', onChange).on('add', onChange);
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()));
  return { ready, close: () => watcher.close() };
}
