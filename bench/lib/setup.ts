import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BodyFactory } from './bodies.ts';
import { type BenchStore, SECRET, writeConfig } from './config.ts';
import type { Ctx } from './context.ts';
import { type LoadOptions, type LoadResult, runLoad } from './load.ts';
import { cli, freePort, type ServerProcess, startGateway } from './procs.ts';

export const PG_URL = 'postgres://root@127.0.0.1:5432/test';

/** A gateway under test with its config and store. */
export interface Gw {
  proc: ServerProcess;
  config: string;
  store: BenchStore;
  dir: string;
  profDir?: string;
}

let seq = 0;

/** Writes a config in a fresh directory (the sink destination paused when asked) and starts the gateway. */
export async function gateway(
  ctx: Ctx,
  name: string,
  opts: {
    store?: BenchStore;
    sinkUrl?: string;
    paused?: boolean;
    logLevel?: string;
    concurrency?: number;
    profile?: boolean;
    /** Reuse this directory's config (another instance on the same store). */
    prepare?: (config: string, dir: string) => Promise<void>;
  } = {},
): Promise<Gw> {
  const dir = join(ctx.dir, `${String(++seq).padStart(2, '0')}-${name}`);
  mkdirSync(dir, { recursive: true });
  const store = opts.store ?? { driver: 'sqlite', path: join(dir, 'sb.db') };
  const port = await freePort();
  // Nothing listens on port 9 (discard): a paused destination never sends anyway.
  const config = writeConfig(dir, {
    port,
    store,
    sinkUrl: opts.sinkUrl ?? 'http://127.0.0.1:9/down',
    concurrency: opts.concurrency,
  });
  if (opts.prepare) await opts.prepare(config, dir);
  if (opts.paused) await cli(['pause', 'sink', '--config', config]);
  const profDir = opts.profile ? join(dir, 'prof') : undefined;
  const proc = ctx.track(
    await startGateway(name, config, port, { logLevel: opts.logLevel, cpuProfDir: profDir }),
  );
  return { proc, config, store, dir, profDir };
}

/** A process that costs a target server CPU without taking requests itself (the peer's redis-server). */
export interface Helper {
  name: string;
  alive: boolean;
  deaths: string[];
  cpuSeconds(): number;
  restart(): Promise<void>;
}

/** A load target: one or more processes behind one or more URLs, and the helpers they need. */
export interface Target {
  name: string;
  procs: ServerProcess[];
  helpers?: Helper[];
}

/** Every process whose CPU counts as the target's server CPU. */
function serverProcs(t: Target): Array<ServerProcess | Helper> {
  return [...(t.helpers ?? []), ...t.procs];
}

/** One measured load run with the server CPU it cost. */
export interface Measured extends LoadResult {
  /** Server CPU (user+sys, all target processes and helpers) per 2xx response, in µs. */
  cpuUsPerOk: number;
  /**
   * Share of the whole machine's CPU time (every core, every process, the load generator included) left idle
   * during the run, 0–1. Near 0: the run was bound by CPU. Well above 0: by waiting (commits, wake-ups), and
   * more processes could use what is left.
   */
  idle: number;
  /** For a target of one process: where its CPU went, per 2xx response (see ThreadSplit). */
  threads?: ThreadSplit;
}

/**
 * A process's CPU by thread, in µs per 2xx response: its main thread (for the gateway: HTTP, verify, decode,
 * route, the hand-off to the store, and delivery's HTTP), its busiest other thread (for a gateway on SQLite, the
 * store thread: its statements and commits, fsync included; Node 20 names every thread "node", so it is told
 * apart by its use), and all its other threads together (V8's garbage-collection helpers, libuv's pool).
 */
export interface ThreadSplit {
  main: number;
  busiest: number;
  rest: number;
}

/** The CPU each thread spent between two readings of ServerProcess.threadCpuSeconds, split as ThreadSplit. */
export function threadSplit(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
  ok: number,
): ThreadSplit | undefined {
  if (ok <= 0 || after.size === 0) return undefined;
  const spent = [...after].map(([tid, s]) => ({ tid, us: (s - (before.get(tid) ?? 0)) * 1e6 }));
  const main = spent.find((t) => t.tid === pid)?.us ?? 0;
  const others = spent.filter((t) => t.tid !== pid).map((t) => t.us);
  const busiest = Math.max(0, ...others);
  const rest = others.reduce((a, b) => a + b, 0) - busiest;
  return { main: main / ok, busiest: busiest / ok, rest: rest / ok };
}

/** The machine's idle and total CPU time so far, in clock ticks (first line of /proc/stat; idle includes iowait). */
function machineTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/** Runs one load against a target, measuring the CPU its processes spent. */
export async function measure(
  target: Target,
  factory: BodyFactory,
  opts: Omit<LoadOptions, 'urls' | 'factory' | 'path'>,
): Promise<Measured> {
  const cpuNow = () => serverProcs(target).reduce((a, p) => a + p.cpuSeconds(), 0);
  const single = target.procs.length === 1 && !target.helpers?.length ? target.procs[0] : undefined;
  const threads0 = single?.threadCpuSeconds();
  const cpu0 = cpuNow();
  const ticks0 = machineTicks();
  const r = await runLoad({ ...opts, urls: target.procs.map((p) => p.url), factory, path: '/webhooks/mta' });
  const cpu = cpuNow() - cpu0;
  const threads = single && threads0 && threadSplit(single.pid, threads0, single.threadCpuSeconds(), r.ok);
  const ticks = machineTicks();
  const idle = (ticks.idle - ticks0.idle) / Math.max(1, ticks.total - ticks0.total);
  return { ...r, cpuUsPerOk: r.ok ? (cpu * 1e6) / r.ok : Number.NaN, idle, ...(threads && { threads }) };
}

/**
 * Rounds of the same load against each target, interleaved (the order flips every round) so slow drift on a
 * shared machine hits every target alike. Returns every round per target.
 */
export async function rounds(
  ctx: Ctx,
  targets: Target[],
  n: number,
  opts: Omit<LoadOptions, 'urls' | 'factory' | 'path'>,
  label: string,
): Promise<Map<string, Measured[]>> {
  const out = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
  const factory = new BodyFactory(SECRET);
  for (let r = 0; r < n; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const m = await measureAlive(ctx, t, factory, opts);
      out.get(t.name)!.push(m);
      ctx.log(
        `  ${label} round ${r + 1}/${n} ${t.name.padEnd(44)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  cpu ${m.cpuUsPerOk.toFixed(0)} µs/req${m.non2xx || m.errors ? `  non2xx ${m.non2xx} errors ${m.errors}` : ''}`,
      );
      if (m.duplicates > 0)
        ctx.failures.push(`${label}: ${t.name} answered ${m.duplicates} unique bodies as duplicates`);
    }
  }
  return out;
}

/**
 * `measure`, but a round during which a server process died (others share this machine and its process
 * table) is not counted: the server is restarted on the same store and the round run again, once.
 */
export async function measureAlive(
  ctx: Ctx,
  t: Target,
  factory: BodyFactory,
  opts: Omit<LoadOptions, 'urls' | 'factory' | 'path'>,
): Promise<Measured> {
  const procs = serverProcs(t);
  for (let attempt = 1; ; attempt++) {
    const before = procs.map((p) => p.deaths.length);
    for (const p of procs) {
      if (!p.alive) {
        ctx.notes.push(...p.deaths.slice(-1), `${p.name} restarted on the same store`);
        ctx.log(`  ${p.name} is not running (${p.deaths.at(-1) ?? 'exited'}); restarting it`);
        await p.restart();
      }
    }
    const m = await measure(t, factory, opts);
    const died = procs.some((p, i) => p.deaths.length > before[i] || !p.alive);
    if (!died || attempt >= 2) return m;
    ctx.log(`  a ${t.name} process died during the round; restarting and running the round again`);
    ctx.notes.push(
      `a ${t.name} process died during a round (${procs.flatMap((p) => p.deaths).at(-1)}); the round was run again`,
    );
  }
}

/**
 * A short unmeasured load so JIT and caches are warm: `seconds` per server process, so each instance of a
 * several-instance target gets as many requests as a single one (the load is split across them).
 */
export async function warmup(targets: Target[], seconds: number): Promise<void> {
  const factory = new BodyFactory(SECRET);
  for (const t of targets) await measure(t, factory, { connections: 8, duration: seconds * t.procs.length });
}

/** Creates a fresh PostgreSQL schema; the URL selects it through the connection's search_path. */
export async function pgSchema(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `bench_${name}_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
  return {
    url: `${PG_URL}?options=-c%20search_path%3D${schema}`,
    drop: () => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}
