import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The largest config file read: 1 MiB. config.example.yaml, which documents every key, is 12 kB, and a file of
 * 8,000 routes is 1 MiB. A config is parsed on the event loop, so a huge one stalls webhooks while it loads: a
 * 60 MB file took 19 s and 2.8 GB to reload (found by an attack). The limit bounds what any file can cost; a
 * real config is far below it.
 */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/** Bytes read at a time: the whole of a typical config in one read. */
const CHUNK = 64 * 1024;

/**
 * The config file's text and the digest of its bytes, or why it is not read (not found, unreadable, larger than
 * CONFIG_MAX_BYTES).
 */
export type ConfigText = { ok: true; text: string; digest: string } | { ok: false; message: string };

/** The SHA-256 of a config file's bytes, hex: how `--watch` tells a changed file from the one loaded. */
export function configDigest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a config file as UTF-8, refusing one over CONFIG_MAX_BYTES before any of it is parsed. The size is
 * checked first, then the read stops one byte past the limit, for a file that grew in between or whose size
 * the file system does not tell (a pipe, a device such as /dev/zero).
 */
export async function readConfigText(path: string): Promise<ConfigText> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, message: unreadable(err, path) };
  }
  try {
    const { size } = await handle.stat();
    if (size > CONFIG_MAX_BYTES) return { ok: false, message: tooLarge(size) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > CONFIG_MAX_BYTES) return { ok: false, message: tooLarge(undefined) };
    }
    const bytes = Buffer.concat(chunks, total);
    return { ok: true, text: bytes.toString('utf8'), digest: configDigest(bytes) };
  } catch (err) {
    return { ok: false, message: unreadable(err, path) };
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Why the config file at `path` could not be read, in words that say what to give instead: a folder given for
 * the file used to read "EISDIR: illegal operation on a directory, read".
 */
function unreadable(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'config file not found';
  if (code === 'EISDIR')
    return `is a directory, not a config file: give the YAML file in it, e.g. --config ${join(path, 'config.yaml')}`;
  return `cannot read config file: ${(err as Error).message}`;
}

/** The refusal of a file over the limit: its size when known, the limit, and what to do. */
function tooLarge(size: number | undefined): string {
  const limit = `${CONFIG_MAX_BYTES / 1024 ** 2} MiB`;
  const is =
    size === undefined
      ? `is larger than ${limit}`
      : `is ${(size / 1024 ** 2).toFixed(1)} MiB (${size} bytes), over the limit of ${limit}`;
  return `config file ${is}, so it was not read: check that this is the config file (a config is a few kB), and move anything bulky out of it`;
}
