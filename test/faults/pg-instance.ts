import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The newest PostgreSQL server binaries on this machine, or undefined when there are none. */
function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0], 'bin');
}

/** Why a private PostgreSQL cannot run here (no binaries, no `postgres` user), or undefined when it can. */
export function privatePgUnavailable(): string | undefined {
  if (pgBin() === undefined) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    return 'no `postgres` OS user to run a private PostgreSQL as';
  }
  if (process.getuid?.() !== 0) return 'not root, so cannot run PostgreSQL as the `postgres` user';
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A PostgreSQL server of the test's own (initdb in a temp dir, its own port), so a test may restart it without
 * touching the shared server other tests use. Runs as the `postgres` OS user (PostgreSQL refuses root).
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb + start; trust auth on 127.0.0.1 only. */
  static async start(): Promise<PrivatePostgres> {
    const bin = pgBin()!;
    const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    const pg = new PrivatePostgres(bin, dir, await freePort());
    pg.run('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    pg.run('pg_ctl', ['-D', pg.data, '-l', join(dir, 'log'), '-w', '-o', pg.serverOptions(), 'start']);
    return pg;
  }

  /** The connection URL. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Restarts the server: a fast stop (every connection is terminated with 57P01, as in a real restart), `downMs`
   * with nothing listening, then a start. Asynchronous, so the test's own stream keeps sending meanwhile.
   */
  async restart(downMs: number): Promise<void> {
    await this.runAsync('pg_ctl', ['-D', this.data, '-w', '-m', 'fast', 'stop']);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.runAsync('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      this.serverOptions(),
      'start',
    ]);
  }

  private async runAsync(tool: string, args: string[]): Promise<void> {
    await promisify(execFile)('runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args], {
      cwd: this.dir,
    });
  }

  /** Stops the server and removes its files. */
  remove(): void {
    try {
      this.run('pg_ctl', ['-D', this.data, '-w', '-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private serverOptions(): string {
    return `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=50`;
  }

  private run(tool: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: this.dir,
    });
  }
}
