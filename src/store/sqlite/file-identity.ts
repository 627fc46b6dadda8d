import { statSync } from 'node:fs';
import { StoreFileError } from './file-error.ts';

/** The code of the error a lost file gives every call (storeFaultKind names it `file_replaced`). */
export const FILE_REPLACED = 'STORE_FILE_REPLACED';

/**
 * Whether store.path still names the file the store has open. After `rm` of the file, or another file renamed
 * over it (a restore), the connection goes on writing into an inode no later start will open, so every commit
 * acknowledged from then on would be lost. Compared by device and inode: one stat per check (microseconds),
 * cheap enough for the store thread to check before every batch of calls.
 */
export class FileIdentity {
  private constructor(
    private readonly path: string,
    private readonly dev: bigint,
    private readonly ino: bigint,
  ) {}

  /** The identity of the file at `path` now, just after opening it; undefined for `:memory:` (no file). */
  static of(path: string): FileIdentity | undefined {
    if (path === ':memory:') return undefined;
    const { dev, ino } = statSync(path, { bigint: true });
    return new FileIdentity(path, dev, ino);
  }

  /** A StoreFileError (code STORE_FILE_REPLACED) when `path` no longer names the open file; undefined while it does. */
  lost(): StoreFileError | undefined {
    try {
      const now = statSync(this.path, { bigint: true });
      if (now.dev === this.dev && now.ino === this.ino) return undefined;
    } catch (err) {
      // A stat that fails for another reason (EACCES on a parent) proves nothing: the store goes on.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
    }
    return new StoreFileError(
      `store.path ${this.path} was deleted or replaced while the gateway had it open; restart the gateway`,
      FILE_REPLACED,
    );
  }
}
