import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './paths.ts';

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra };
}

/** A server child process that logs JSON lines and announces its URL on one of them. */
export class ServerProcess {
  child: ChildProcess;
  readonly tail: string[] = [];
  url = '';
  /** Log lines per `msg`, counted (the gateway logs one line per webhook at info). */
  lines = 0;
  /** How each earlier child of this server ended without being asked to (code or signal). */
  readonly deaths: string[] = [];
  private exited: Promise<number | null>;
  private stopping = false;
  private knownUrl?: string;
  private timeoutMs = 30_000;

  private constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly cwd: string = ROOT,
  ) {
    this.child = this.spawn();
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  private spawn(): ChildProcess {
    const { args, env } = this;
    this.url = '';
    const child = spawn(process.execPath, args, {
      cwd: this.cwd,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.once('exit', (code, signal) => {
      if (!this.stopping)
        this.deaths.push(`${this.name} (pid ${child.pid}) exited unexpectedly: ${signal ?? `code ${code}`}`);
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines++;
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        if (!this.url && line.includes('listening"')) {
          try {
            const parsed = JSON.parse(line) as { url?: string };
            if (parsed.url) this.url = parsed.url;
          } catch {
            // not JSON
          }
        }
      });
    }
    return child;
  }

  /** Whether the current child is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server again (same command), after it died. */
  async restart(): Promise<void> {
    if (this.alive) await this.stop();
    this.stopping = false;
    this.child = this.spawn();
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    await this.ready();
  }

  private async ready(): Promise<void> {
    const knownUrl = this.knownUrl;
    const deadline = Date.now() + this.timeoutMs;
    let code: number | null | undefined;
    void this.exited.then((c) => (code = c));
    while (knownUrl ? !(await healthy(knownUrl)) : !this.url) {
      if (code !== undefined)
        throw new Error(`${this.name} exited (${code}) before listening:\n${this.tail.join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not listen within ${this.timeoutMs} ms:\n${this.tail.join('\n')}`);
      await sleep(knownUrl ? 100 : 20);
    }
    if (knownUrl) this.url = knownUrl;
  }

  /** Spawns `node [nodeArgs] script args` and waits for its "… listening" line. */
  static async start(
    name: string,
    nodeArgs: string[],
    env: Record<string, string>,
    timeoutMs = 30_000,
    knownUrl?: string,
    cwd: string = ROOT,
  ): Promise<ServerProcess> {
    const p = new ServerProcess(name, nodeArgs, env, cwd);
    p.knownUrl = knownUrl;
    p.timeoutMs = timeoutMs;
    await p.ready();
    return p;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** VmRSS and VmHWM (peak) of the process, in MB. */
  memory(): { rssMb: number; hwmMb: number } {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
    } catch {
      return { rssMb: 0, hwmMb: 0 };
    }
  }

  /** CPU time (user+sys) consumed so far, in seconds (from /proc/PID/stat, clock ticks of 1/100 s). */
  cpuSeconds(): number {
    try {
      return ticksOf(readFileSync(`/proc/${this.pid}/stat`, 'utf8')) / 100;
    } catch {
      return 0;
    }
  }

  /**
   * CPU time (user+sys) of each of the process's threads so far, in seconds, by thread id (from
   * /proc/PID/task/TID/stat); the main thread's id is the process id. Empty once the process is gone.
   */
  threadCpuSeconds(): Map<number, number> {
    const out = new Map<number, number>();
    try {
      for (const tid of readdirSync(`/proc/${this.pid}/task`)) {
        try {
          out.set(Number(tid), ticksOf(readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8')) / 100);
        } catch {
          // the thread ended between the listing and the read
        }
      }
    } catch {
      // the process is gone
    }
    return out;
  }

  /** SIGTERM and wait (SIGKILL after `graceMs`). Returns the exit code. */
  async stop(graceMs = 20_000): Promise<number | null> {
    this.stopping = true;
    if (!this.alive) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * How `npm start` runs the gateway in the tree at `root` (its package.json scripts.start, `exec node <options>
 * <entry> start`): the bench runs it the same way, with the same node options and the same entry (dist/cli/bin.js,
 * the built code, since issue 20; bin/switchboard.js in earlier trees, which bench/compare.ts may run).
 */
export function startCommand(root: string = ROOT): { options: string[]; entry: string } {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(/\s+/);
  const afterNode = words.slice(words.indexOf('node') + 1);
  const options = afterNode.filter(
    (w, i) => w.startsWith('-') && afterNode.slice(0, i).every((o) => o.startsWith('-')),
  );
  return { options, entry: afterNode[options.length] };
}

/** The node options `npm start` runs the gateway with. */
export const START_NODE_OPTIONS = startCommand().options;

/** The script `npm start` runs, relative to the repository (dist/cli/bin.js: the built code). */
export const START_ENTRY = startCommand().entry;

const built = new Set<string>();

/** Builds the tree's dist/ when it is missing or older than src/, as `npm start`'s prestart does. */
function ensureBuilt(root: string, entry: string): void {
  if (built.has(root) || !entry.startsWith('dist/')) return;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], {
    cwd: root,
    stdio: 'inherit',
  });
  built.add(root);
}

/** Options for a gateway process. */
export interface GatewayOptions {
  logLevel?: string;
  /** Directory for `--cpu-prof` output; no profiling when absent. */
  cpuProfDir?: string;
  pollMs?: number;
  /** Another checkout of Switchboard to run instead of this one (bench/compare.ts). */
  root?: string;
}

/**
 * Starts `switchboard start --config FILE` as users run it, on `port` (at LOG_LEVEL=warn the "listening" line is
 * not logged, so the runner picks the port and waits for /healthz).
 */
export function startGateway(
  name: string,
  configPath: string,
  port: number,
  opts: GatewayOptions = {},
): Promise<ServerProcess> {
  const root = opts.root ?? ROOT;
  const { options, entry } = startCommand(root);
  ensureBuilt(root, entry);
  const nodeArgs = [...options];
  if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  return ServerProcess.start(
    name,
    [...nodeArgs, join(root, entry), 'start', '--config', configPath],
    {
      LOG_LEVEL: opts.logLevel ?? 'warn',
      SWITCHBOARD_POLL_MS: String(opts.pollMs ?? 200),
      SWITCHBOARD_SHUTDOWN_GRACE_MS: '2000',
    },
    60_000,
    `http://127.0.0.1:${port}`,
    root,
  );
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts the bare Koa baseline. */
export function startBaseline(): Promise<ServerProcess> {
  return ServerProcess.start('baseline', ['--import', 'tsx', join(ROOT, 'bench/baseline.ts')], {});
}

/**
 * Runs a switchboard CLI command to completion; throws on a non-zero exit. Retried twice: the tree is edited
 * by others while benchmarks run, and a half-saved file fails one run, not the next.
 */
export async function cli(args: string[], tries = 3, root: string = ROOT): Promise<string> {
  for (let i = 1; ; i++) {
    const child = spawn(process.execPath, [join(root, 'bin/switchboard.js'), ...args], {
      cwd: root,
      env: baseEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const [code] = (await once(child, 'exit')) as [number];
    if (code === 0) return out;
    if (i >= tries) throw new Error(`switchboard ${args.join(' ')} exited ${code}: ${out}`);
    await sleep(2000);
  }
}

/** Counts the sink reports. */
export interface SinkStats {
  requests: number;
  distinct: number;
  duplicates: number;
  unparsable: number;
  firstAt: number;
  lastAt: number;
}

/** The sink process (bench/sink.ts), driven over IPC. */
export class SinkProcess {
  private seq = 0;
  private readonly pending = new Map<number, (m: Record<string, unknown>) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: Record<string, unknown>) => {
      const resolve = this.pending.get(m.seq as number);
      if (resolve) {
        this.pending.delete(m.seq as number);
        resolve(m);
      }
    });
  }

  static async start(): Promise<SinkProcess> {
    const child = fork(join(ROOT, 'bench/sink.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: baseEnv({}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [m] = (await once(child, 'message')) as [{ type: string; port: number }];
    return new SinkProcess(child, m.port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private ask<T>(cmd: string): Promise<T> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve as (m: Record<string, unknown>) => void);
      this.child.send({ cmd, seq });
    });
  }

  stats(): Promise<SinkStats> {
    return this.ask('stats');
  }

  report(): Promise<SinkStats & { lags: number[]; ids: string[] }> {
    return this.ask('report');
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ cmd: 'exit', seq: 0 });
    await exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** utime + stime of a /proc/…/stat line, in clock ticks (1/100 s); the name in parentheses may hold spaces. */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
