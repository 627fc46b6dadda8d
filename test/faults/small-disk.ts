import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs mounted for one test, to fill up on purpose. Needs root (mount); `tryMount` says why not
 * otherwise. `fill()` takes every free byte with a filler file; `free()` deletes it.
 */
export class SmallDisk {
  private constructor(readonly dir: string) {}

  /** Mounts a tmpfs of `megabytes`, or answers why it cannot. */
  static tryMount(megabytes: number): SmallDisk | string {
    const dir = mkdtempSync(join(tmpdir(), 'sb-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
      return new SmallDisk(dir);
    } catch (err) {
      rmdirSync(dir);
      return `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]})`;
    }
  }

  private get filler(): string {
    return join(this.dir, 'filler');
  }

  /** Writes a filler file until the filesystem is full; answers the bytes taken. */
  fill(): number {
    const fd = openSync(this.filler, 'a');
    const chunk = Buffer.alloc(64 * 1024, 1);
    let taken = 0;
    try {
      for (;;) taken += writeSync(fd, chunk);
    } catch {
      // ENOSPC: full; go on with ever smaller writes to take the last bytes too
      for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) taken += writeSync(fd, chunk.subarray(0, size));
        } catch {
          // this size no longer fits
        }
      }
    } finally {
      closeSync(fd);
    }
    return taken;
  }

  /** Deletes the filler: the space is free again. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  /** Unmounts and removes the mount point. */
  remove(): void {
    try {
      execFileSync('umount', ['-l', this.dir], { stdio: 'pipe' });
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
