import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './paths.ts';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One function's self time in a CPU profile. */
export interface HotSpot {
  fn: string;
  where: string;
  selfMs: number;
  share: number;
}

function place(url: string, line: number): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return `${rel.replace(/^node_modules\//, 'nm:')}:${line + 1}`;
}

/**
 * Top self-time functions of the main-thread .cpuprofile files in `dir` (merged; worker threads such as tsx's
 * loader are skipped), counting only samples inside `windows` (monotonic µs, as process.hrtime gives them)
 * when given. Idle and GC are shown as such.
 */
export function hotSpots(
  dir: string,
  top = 25,
  windows: Array<[number, number]> = [],
): { totalMs: number; busyMs: number; spots: HotSpot[]; byArea: HotSpot[] } {
  const inWindow = (t: number) => windows.length === 0 || windows.some(([a, b]) => t >= a && t <= b);
  let busy = 0;
  const self = new Map<string, { fn: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const mainThread = (f: string) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0';
  for (const file of readdirSync(dir).filter(mainThread)) {
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
    let t = prof.startTime;
    prof.samples.forEach((id, i) => {
      const us = prof.timeDeltas[i] ?? 0;
      t += us;
      const cf = byId.get(id);
      if (!cf || !inWindow(t)) return;
      total += us;
      if (cf.functionName !== '(idle)') busy += us;
      const fn = cf.functionName || '(anonymous)';
      const where = place(cf.url, cf.lineNumber);
      const key = `${fn}@${where}`;
      const entry = self.get(key) ?? { fn, where, us: 0 };
      entry.us += us;
      self.set(key, entry);
      areas.set(area(where, fn), (areas.get(area(where, fn)) ?? 0) + us);
    });
  }
  const spots = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, share: total ? e.us / total : 0 }));
  const byArea = [...areas.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([where, us]) => ({ fn: '', where, selfMs: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, busyMs: busy / 1000, spots, byArea };
}

/** Buckets a frame into a coarse area: a src/ or plugins/ file, a package, node internals, idle, GC. */
function area(where: string, fn: string): string {
  if (fn === '(idle)' || fn === '(program)' || fn === '(garbage collector)') return fn;
  if (where.startsWith('nm:'))
    return `package ${where
      .slice(3)
      .split('/')
      .slice(0, where.includes('@') ? 2 : 1)
      .join('/')}`;
  if (where.startsWith('src/') || where.startsWith('plugins/')) return where.replace(/:\d+$/, '');
  if (where.startsWith('node:')) return 'node internals';
  return where === '(native)' ? `native ${fn}` : 'other';
}
