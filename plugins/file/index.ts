/**
 * The `file` destination: appends one JSON line per event to a file (JSON Lines), for audits and local use.
 *
 * Each send opens, appends and closes (fs.appendFile, O_APPEND). That costs an open per event but means a
 * rotated or deleted file is simply recreated on the next send, no handle outlives a config reload, and each
 * line goes out in one write, so concurrent sends do not interleave within a line.
 */
import { type Stats, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
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

function create(options: FileOptions): Destination {
  // Relative paths are resolved against the working directory the service was started in.
  const path = resolve(options.path);
  const wrong = pathProblem(path);
  if (wrong !== undefined) throw new Error(wrong);
  const format = options.format ?? 'event';
  let dirReady = false;
  const lineOf = (event: GatewayEvent) => `${JSON.stringify(format === 'payload' ? event.payload : event)}\n`;
  const append = async (text: string) => {
    try {
      if (!dirReady) {
        makeDirectory(dirname(path));
        dirReady = true;
      }
      await appendFile(path, text, 'utf8');
    } catch (err) {
      dirReady = false; // the directory may have been removed: make it again on the next attempt
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const message = `could not append to ${path} (${code})`;
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
