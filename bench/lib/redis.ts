import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, sleep } from './procs.ts';

/** The port of the machine's shared Redis: the bench never starts on it nor talks to it. */
const SHARED_REDIS_PORT = 6379;

/**
 * The redis-server version on PATH (e.g. "7.0.15"), or undefined when there is none: the bench then skips the
 * Koa + BullMQ peer with a note instead of failing.
 */
export function redisServerVersion(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return /v=(\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** How a bench Redis persists. */
export interface RedisOptions {
  /**
   * true: `appendonly yes`, `appendfsync always` (every write is fsynced before its reply, so an ack means on
   * disk); false: redis-server's built-in defaults (no AOF, RDB snapshots now and then: not durable).
   */
  durable: boolean;
}

/**
 * A redis-server the bench starts itself: its own free port on 127.0.0.1 (never 6379) and its own data directory
 * (`dir`, inside the run's scratch directory, removed with it). Logs to stdout, kept as a tail for errors.
 */
export class RedisServer {
  child: ChildProcess;
  readonly tail: string[] = [];
  /** How earlier children ended without being asked to. */
  readonly deaths: string[] = [];
  private stopping = false;
  private exited: Promise<number | null>;
  private readyLine = false;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {
    this.child = this.spawn();
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** Starts redis-server in `dir` (created) and waits until it accepts connections. */
  static async start(name: string, dir: string, opts: RedisOptions): Promise<RedisServer> {
    mkdirSync(dir, { recursive: true });
    let port = await freePort();
    while (port === SHARED_REDIS_PORT) port = await freePort();
    const persistence = opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : [];
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--logfile',
      '',
      ...persistence,
    ];
    const r = new RedisServer(name, port, dir, args);
    await r.ready();
    return r;
  }

  private spawn(): ChildProcess {
    this.readyLine = false;
    const child = spawn('redis-server', this.args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('exit', (code, signal) => {
      if (!this.stopping)
        this.deaths.push(`${this.name} (pid ${child.pid}) exited unexpectedly: ${signal ?? `code ${code}`}`);
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        if (line.includes('Ready to accept connections')) this.readyLine = true;
      });
    }
    return child;
  }

  private async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.readyLine) {
      if (!this.alive)
        throw new Error(
          `${this.name} exited before accepting connections (${this.tail.at(-1) ?? 'no output'}):\n${this.tail.join('\n')}`,
        );
      if (Date.now() > deadline)
        throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.tail.join('\n')}`);
      await sleep(20);
    }
  }

  /** `redis://127.0.0.1:PORT`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the current child is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it again on the same port and directory (a durable one reloads its AOF). */
  async restart(): Promise<void> {
    if (this.alive) await this.stop();
    this.stopping = false;
    this.child = this.spawn();
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    await this.ready();
  }

  /**
   * CPU time in seconds: user+sys of redis-server and its background threads, plus its reaped children (the
   * forks that rewrite the AOF or save a snapshot do Redis's work too), from /proc/PID/stat.
   */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      return 0;
    }
  }

  /** VmRSS and VmHWM of redis-server, in MB. */
  memory(): { rssMb: number; hwmMb: number } {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
    } catch {
      return { rssMb: 0, hwmMb: 0 };
    }
  }

  /** SIGTERM (redis-server saves and exits) and wait; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    this.stopping = true;
    if (!this.alive) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Where a bench Redis keeps its files: `<scratch>/<name>-redis`. */
export function redisDir(scratch: string, name: string): string {
  return join(scratch, `${name}-redis`);
}
