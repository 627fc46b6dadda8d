/**
 * Switchboard benchmark suite: `npm run bench` (full, ~10 min, writes BENCHMARKS.md and bench/throughput.svg)
 * or `npm run bench -- --quick` (smoke run under a minute, writes bench/results/quick.md). `--only=ingest,e2e,
 * backlog,growth,pg` picks scenarios; `--profile` / `--no-profile` force CPU profiles on or off (default: on in
 * full mode); `--e2e-rate=N` sets the end-to-end offered rate (default 1100/s full, 200/s quick).
 * Exits non-zero when events are lost or duplicated (correctness); timing is never asserted.
 */
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chart, chartBars } from './lib/chart.ts';
import type { Ctx, Tracked } from './lib/context.ts';
import { scratchDir } from './lib/paths.ts';
import { markdown, type RunResults } from './lib/report.ts';
import {
  backlogScenario,
  e2eScenario,
  growthScenario,
  ingestScenario,
  pgScenario,
  startBaseline,
} from './scenarios.ts';

const ALL = ['ingest', 'e2e', 'backlog', 'growth', 'pg'] as const;
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name: string) => flag(name)?.split('=')[1];
const quick = flag('quick') !== undefined;
const only = value('only')?.split(',') ?? [...ALL];
const unknown = only.filter((s) => !(ALL as readonly string[]).includes(s));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const profile = flag('no-profile') ? false : flag('profile') ? true : !quick;
// Full: a little above the 1,000/s target, so a gateway that keeps up shows it (autocannon paces to just under the rate).
const e2eRate = Number(value('e2e-rate') ?? (quick ? 200 : 1100));

const children: Tracked[] = [];
const t0 = Date.now();
const scratch = scratchDir(quick ? 'quick' : 'full');
const ctx: Ctx = {
  quick,
  profile,
  dir: scratch.dir,
  failures: [],
  notes: [],
  log: (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`),
  track: (p) => {
    children.push(p);
    return p;
  },
};
// Never leave servers (redis-server included) or scratch files behind, whatever happens to the runner.
process.on('exit', () => {
  for (const c of children)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  scratch.cleanup();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/** `--render`: rewrite the report from the last full run's bench/results/full.json (no measuring). */
function render(): number {
  const root = join(import.meta.dirname, '..');
  const saved = JSON.parse(readFileSync(join(root, 'bench/results/full.json'), 'utf8')) as RunResults;
  saved.startedAt = new Date(saved.startedAt);
  saved.notes ??= [];
  writeFileSync(join(root, 'bench/throughput.svg'), chart(chartBars(saved)));
  writeFileSync(join(root, 'BENCHMARKS.md'), markdown(saved, 'bench/throughput.svg'));
  console.log('re-rendered BENCHMARKS.md and bench/throughput.svg from bench/results/full.json');
  return 0;
}

async function main(): Promise<number> {
  if (flag('render')) return render();
  ctx.log(
    `switchboard bench ${quick ? '(quick)' : '(full)'}: ${only.join(', ')}; profiles ${profile ? 'on' : 'off'}`,
  );
  const results: RunResults = {
    quick,
    startedAt: new Date(),
    seconds: 0,
    e2eRate,
    failures: ctx.failures,
    notes: ctx.notes,
    loadAverage: [],
  };
  const baseline = ctx.track(await startBaseline());
  const has = (s: string) => only.includes(s);
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      ctx.failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      ctx.log(`${name} FAILED: ${(err as Error).stack}`);
      return undefined;
    }
  };
  if (has('ingest')) results.ingest = await step('ingest', () => ingestScenario(ctx, baseline));
  if (has('e2e')) results.e2e = await step('e2e', () => e2eScenario(ctx, e2eRate));
  if (has('backlog')) results.backlog = await step('backlog', () => backlogScenario(ctx, baseline));
  if (has('growth')) results.growth = await step('growth', () => growthScenario(ctx));
  if (has('pg')) results.pg = await step('pg', () => pgScenario(ctx, baseline, e2eRate));
  await baseline.stop();
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) await c.stop();

  for (const c of children) ctx.notes.push(...(c.deaths ?? []).filter((d) => !ctx.notes.includes(d)));
  results.seconds = (Date.now() - t0) / 1000;
  results.loadAverage = loadavg();
  const root = join(import.meta.dirname, '..');
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const svgFile = quick ? join(resultsDir, 'quick.svg') : join(root, 'bench/throughput.svg');
  const mdFile = quick ? join(resultsDir, 'quick.md') : join(root, 'BENCHMARKS.md');
  writeFileSync(svgFile, chart(chartBars(results)));
  writeFileSync(mdFile, markdown(results, quick ? 'quick.svg' : 'bench/throughput.svg'));
  writeFileSync(join(resultsDir, quick ? 'quick.json' : 'full.json'), JSON.stringify(results, null, 2));
  ctx.log(`wrote ${mdFile} and ${svgFile}`);
  if (ctx.failures.length) {
    ctx.log(`FAILED: ${ctx.failures.length} correctness problem(s):`);
    for (const f of ctx.failures) ctx.log(`  - ${f}`);
    return 1;
  }
  return 0;
}

const code = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});
// After a failure servers may still run: kill and reap them before their files are removed.
await Promise.all(
  children
    .filter((c) => c.child.exitCode === null && c.child.signalCode === null)
    .map((c) => {
      const exited = once(c.child, 'exit');
      c.child.kill('SIGKILL');
      return exited;
    }),
);
scratch.cleanup();
process.exit(code);
