/**
 * This checkout against an earlier commit, in the same run: `npm run bench:compare -- --before=<rev>`
 * (`--rounds=N`, default 5; `--seconds=S` of load per round, default 5). Checks `<rev>` out into scratch space
 * (git worktree, `npm ci` there, with progress), then for each round and each tree, in alternating order:
 *
 * - start-up: from spawning `switchboard start` (as `npm start` runs it) to the first 200 from /readyz, in ms,
 *   on an empty SQLite store;
 * - ingest: signed V3 bodies at 16 connections for S seconds to that gateway (its destination paused), in
 *   req/s, with the server CPU per request in µs;
 * - drain: then the destination is resumed and the gateway delivers that backlog to a local sink (bench/sink.ts),
 *   in deliveries/s from the resume to the last arrival, with the gateway's CPU per delivery in µs.
 *
 * Each figure is also split by thread (the main thread, the SQLite store thread, the others: see ThreadSplit).
 * Prints medians and after/before ratios; timing is never asserted. Exits non-zero when a gateway fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BodyFactory } from './lib/bodies.ts';
import { SECRET, writeConfig } from './lib/config.ts';
import { ROOT, scratchDir } from './lib/paths.ts';
import { cli, freePort, type ServerProcess, SinkProcess, sleep, startGateway } from './lib/procs.ts';
import { measure, type ThreadSplit, threadSplit } from './lib/setup.ts';
import { fmt, median } from './lib/stats.ts';

const args = process.argv.slice(2);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const before = value('before');
if (!before) {
  console.error('usage: npm run bench:compare -- --before=<git revision> [--rounds=5] [--seconds=5]');
  process.exit(2);
}
const roundsN = Number(value('rounds') ?? 5);
const seconds = Number(value('seconds') ?? 5);
const t0 = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

const scratch = scratchDir('compare');
const beforeRoot = join(scratch.dir, 'before');
process.on('exit', () => {
  spawnSync('git', ['worktree', 'remove', '--force', beforeRoot], { cwd: ROOT });
  scratch.cleanup();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

log(`checking out ${before} into ${beforeRoot}`);
execFileSync('git', ['worktree', 'add', '--detach', beforeRoot, before], { cwd: ROOT, stdio: 'ignore' });
log('npm ci in the earlier tree (a minute or so)');
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: beforeRoot,
  stdio: 'inherit',
});

interface Tree {
  name: string;
  root: string;
  startupMs: number[];
  rps: number[];
  cpuUs: number[];
  drainRps: number[];
  drainCpuUs: number[];
  /** CPU split by thread (ThreadSplit), per request while ingesting and per delivery while draining. */
  ingestThreads: ThreadSplit[];
  drainThreads: ThreadSplit[];
}
const figures = () => ({
  startupMs: [],
  rps: [],
  cpuUs: [],
  drainRps: [],
  drainCpuUs: [],
  ingestThreads: [],
  drainThreads: [],
});
const trees: Tree[] = [
  { name: `before (${before})`, root: beforeRoot, ...figures() },
  { name: 'after (this checkout)', root: ROOT, ...figures() },
];
const sink = await SinkProcess.start();
process.on('exit', () => sink.child.kill());

/** Starts a gateway of `tree` on a fresh store; answers it and how long it took to be ready. */
async function start(
  tree: Tree,
  round: number,
): Promise<{ proc: ServerProcess; ms: number; config: string }> {
  const dir = join(scratch.dir, `${round}-${trees.indexOf(tree)}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = writeConfig(dir, {
    port,
    store: { driver: 'sqlite', path: join(dir, 'sb.db') },
    sinkUrl: sink.url,
    root: tree.root,
  });
  await cli(['pause', 'sink', '--config', config], 3, tree.root);
  const spawned = performance.now();
  const proc = await startGateway(`gateway ${tree.name}`, config, port, { root: tree.root, pollMs: 50 });
  for (;;) {
    const res = await fetch(`${proc.url}/readyz`).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { proc, ms: performance.now() - spawned, config };
}

/** Resumes the paused destination and times the delivery of the `backlog` acked events to the sink. */
async function drain(
  proc: ServerProcess,
  config: string,
  backlog: number,
  root: string,
): Promise<{ rate: number; cpuUs: number; threads?: ThreadSplit }> {
  await sink.reset();
  const cpu0 = proc.cpuSeconds();
  const threads0 = proc.threadCpuSeconds();
  const resumed = Date.now();
  await cli(['resume', 'sink', '--config', config], 3, root);
  const cap = resumed + 120_000;
  let s = await sink.stats();
  while (s.distinct < backlog) {
    if (Date.now() > cap) throw new Error(`drain: ${s.distinct} of ${backlog} delivered after 120 s`);
    await sleep(50);
    s = await sink.stats();
  }
  const cpu = proc.cpuSeconds() - cpu0;
  const threads = threadSplit(proc.pid, threads0, proc.threadCpuSeconds(), s.distinct);
  return {
    rate: s.distinct / ((s.lastAt - resumed) / 1000),
    cpuUs: (cpu * 1e6) / s.distinct,
    ...(threads && { threads }),
  };
}

let failed = false;
const factory = new BodyFactory(SECRET);
for (let r = 0; r < roundsN; r++) {
  for (const tree of r % 2 === 0 ? trees : [...trees].reverse()) {
    try {
      const { proc, ms, config } = await start(tree, r);
      const m = await measure({ name: tree.name, procs: [proc] }, factory, {
        connections: 16,
        duration: seconds,
      });
      const d = await drain(proc, config, m.ok, tree.root);
      await proc.stop();
      tree.startupMs.push(ms);
      tree.rps.push(m.rps);
      tree.cpuUs.push(m.cpuUsPerOk);
      tree.drainRps.push(d.rate);
      tree.drainCpuUs.push(d.cpuUs);
      if (m.threads) tree.ingestThreads.push(m.threads);
      if (d.threads) tree.drainThreads.push(d.threads);
      log(
        `round ${r + 1}/${roundsN} ${tree.name.padEnd(32)} start-up ${fmt(ms)} ms, ingest ${fmt(m.rps)} req/s, ${fmt(m.cpuUsPerOk)} µs CPU/req, drain ${fmt(d.rate)}/s, ${fmt(d.cpuUs)} µs CPU/delivery`,
      );
    } catch (err) {
      failed = true;
      log(`${tree.name} FAILED: ${(err as Error).message}`);
    }
  }
}

const [b, a] = trees;
const row = (label: string, pick: (t: Tree) => number[], unit: string) => {
  const [x, y] = [median(pick(b)), median(pick(a))];
  return `| ${label} | ${fmt(x)} ${unit} | ${fmt(y)} ${unit} | ${(y / x).toFixed(2)}× |`;
};
console.log(
  `\nMedians of ${roundsN} interleaved rounds (16 connections, ${seconds} s each; SQLite, durable acks; then the drain):\n`,
);
console.log(`| figure | ${b.name} | ${a.name} | after ÷ before |`);
console.log('| --- | --- | --- | --- |');
console.log(row('start-up to /readyz 200', (t) => t.startupMs, 'ms'));
console.log(row('ingest', (t) => t.rps, 'req/s'));
console.log(row('server CPU per request', (t) => t.cpuUs, 'µs'));
console.log(row('drain (delivery of that backlog)', (t) => t.drainRps, 'deliveries/s'));
console.log(row('server CPU per delivery', (t) => t.drainCpuUs, 'µs'));
const parts: Array<[string, keyof ThreadSplit]> = [
  ['main thread', 'main'],
  ['store thread', 'busiest'],
  ['other threads', 'rest'],
];
for (const [what, key] of parts) {
  console.log(row(`… ${what}, per request`, (t) => t.ingestThreads.map((x) => x[key]), 'µs'));
}
for (const [what, key] of parts) {
  console.log(row(`… ${what}, per delivery`, (t) => t.drainThreads.map((x) => x[key]), 'µs'));
}
if (!existsSync(beforeRoot)) failed = true;
process.exit(failed ? 1 : 0);
