/**
 * The `file` destination: appends one JSON line per event to a file (JSON Lines), for audits and local use.
 *
 * Each send opens, appends and closes (fs.appendFile, O_APPEND). That costs an open per event but means a
 * rotated or deleted file is simply recreated on the next send, no handle outlives a config reload, and each
 * line goes out in one write, so concurrent sends do not interleave within a line.
 */
import { type Stats, statSync } from 'node:fs';
import { appendFile, type FileHandle, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  type Destination,
  type DestinationPlugin,
  type GatewayEvent,
  makeDirectory,
  PermanentError,
  TransientError,
  t,
} from 'switchboard/plugin-sdk';

/** The file destination's options. Unknown keys are stripped by t.exact and reported by the config loader. */
export const FileOptions = t.exact(
  t.intersection([
    t.type({ path: t.string }),
    t.partial({ format: t.keyof({ event: null, payload: null }) }),
  ]),
  'FileOptions',
);

/** Decoded options of a file destination. */
export type FileOptions = t.TypeOf<typeof FileOptions>;

/** Errors that mean the path itself is wrong; retrying cannot help until the config changes. */
const PATH_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'ENAMETOOLONG']);

/** What the common write errors mean for the one who must fix them (the code alone tells little at 3 a.m.). */
const ERROR_MEANINGS: Record<string, string> = {
  ENOSPC: 'the file system is full; free space and the deliveries are retried',
  EDQUOT: "the disk quota of the gateway's user is used up",
  EROFS: 'the file system is mounted read-only',
  EACCES: "permission denied: the gateway's user may not write the file or its directory",
  EPERM: "not permitted: the gateway's user may not write the file (is it immutable or append-protected?)",
  EISDIR: 'the path is a directory: name a file in it',
  ENOTDIR: 'a part of the path is a file, not a directory',
};

/** True when the file exists and its last byte is not a newline (a line was cut short). */
async function endsInsideALine(path: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false; // missing (the append creates it) or unreadable (the append says why)
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

function create(options: FileOptions): Destination {
  // Relative paths are resolved against the working directory the service was started in.
  const path = resolve(options.path);
  const wrong = pathProblem(path);
  if (wrong !== undefined) throw new Error(wrong);
  const format = options.format ?? 'event';
  let dirReady = false;
  // Whether the file may end inside a line: before the first append (a process killed mid-write), and after a
  // failed one (a full disk takes part of a line). The next line then starts on a line of its own: the retried
  // line was once glued to the torn piece, and the event it carried no longer parsed though it was `delivered`.
  let mayBeTorn = true;
  let mending: Promise<boolean> | undefined;
  let newlineFirst = false;
  const lineOf = (event: GatewayEvent) => `${JSON.stringify(format === 'payload' ? event.payload : event)}\n`;
  const append = async (text: string) => {
    try {
      if (!dirReady) {
        makeDirectory(dirname(path));
        dirReady = true;
      }
      if (mayBeTorn) {
        // Concurrent sends wait for one look at the file's end; the first to append after it adds the newline.
        mending ??= endsInsideALine(path).finally(() => {
          mending = undefined;
        });
        const torn = await mending;
        if (mayBeTorn) {
          mayBeTorn = false;
          newlineFirst = torn;
        }
      }
      const prefix = newlineFirst ? '\n' : '';
      newlineFirst = false;
      await appendFile(path, prefix + text, 'utf8');
    } catch (err) {
      dirReady = false; // the directory may have been removed: make it again on the next attempt
      mayBeTorn = true;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const meaning = ERROR_MEANINGS[code];
      const message = `could not append to ${path} (${code}${meaning ? `: ${meaning}` : ''})`;
      if (PATH_ERRORS.has(code)) throw new PermanentError(message, { reason: 'client_error' });
      throw new TransientError(message, { reason: 'other' });
    }
  };
  return {
    send: async (event) => append(lineOf(event)),
    // A digest is the group's lines in one write: a file has no "message", so it stays one line per event.
    sendDigest: async (events) => append(events.map(lineOf).join('')),
  };
}

/**
 * Why `path` (absolute) can never be appended to, or undefined: it is a directory, or holds a NUL. Checked when the destination
 * is created, so `switchboard check` and a reload refuse the config instead of every delivery failing. A path
 * that does not exist yet is fine (the first send creates it and its directory); one that cannot be reached
 * yet is a send's transient failure, as it may be fixed without a config change.
 */
function pathProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'path holds a NUL character (\\0), which no file name can';
  let stat: Stats | undefined;
  try {
    stat = statSync(path);
  } catch {
    return undefined; // missing (created on the first send), or unreachable (the send says why)
  }
  return stat.isDirectory()
    ? `path ${path} is a directory: name a file in it, e.g. ${join(path, 'events.jsonl')}`
    : undefined;
}

/** The built-in `file` destination plugin. */
export default { type: 'file', config: FileOptions, create } satisfies DestinationPlugin<FileOptions>;
