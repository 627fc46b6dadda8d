import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';
import { configDigest } from './read.ts';

/** A running watch. `ready` resolves once the watcher listens; `close` stops it. */
export interface ConfigWatch {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** What a config watch reports. */
export interface ConfigWatchEvents {
  /** The file's content is not what was last loaded (or seen), or the file is back after `unavailable`. */
  changed(): void;
  /** The file can no longer be read, `why` in words (`is gone (…)`, `cannot be read (EACCES)`); said once. */
  unavailable(why: string): void;
}

/** Files beside a config that change all the time and are never config (a SQLite store kept next to it). */
const NOISE = /\.(db|sqlite3?)(-wal|-shm|-journal)?$/;

/** The digest of the file's bytes as the loader computes it, or why it cannot be read now. */
function digestOf(file: string): { digest: string } | { why: string } {
  try {
    return { digest: configDigest(readFileSync(file)) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      why: code === 'ENOENT' ? 'is gone (deleted or renamed away)' : `cannot be read (${code ?? 'error'})`,
    };
  }
}

/**
 * Tells `events.changed` once per change of the config file's content, however it was saved. The watch is on
 * the file's folder (chokidar), not on the file: editors, `sed -i` and Kubernetes ConfigMaps (a `..data` symlink
 * swapped for a new folder) replace the file by a rename, and a watch on the old inode would go deaf after the
 * first save. Any event in the folder re-reads the file after `debounceMs`; only a new content hash counts, so
 * a save in several steps, a touch, or an unrelated file reloads nothing.
 *
 * `loaded` is the digest of what the running config was built from (Config.digest): once the watcher listens,
 * the file is compared with it, so an edit made between the load and the watch's start is not missed. A file
 * that disappears is reported once (`unavailable`; the running config stays), and its return is a change.
 */
export function watchConfig(
  file: string,
  loaded: string,
  events: ConfigWatchEvents,
  debounceMs = 200,
): ConfigWatch {
  const path = resolve(file);
  let last = loaded;
  let missing = false;
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const now = digestOf(path);
    if ('why' in now) {
      // Between an editor's unlink and rename the debounce has usually not run yet; if it has, this is said
      // once and the file's return reloads it.
      if (!missing) events.unavailable(now.why);
      missing = true;
      return;
    }
    const back = missing;
    missing = false;
    if (now.digest === last && !back) return;
    last = now.digest;
    events.changed();
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
  const ready = new Promise<void>((r) =>
    watcher.once('ready', () => {
      check();
      r();
    }),
  );
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
