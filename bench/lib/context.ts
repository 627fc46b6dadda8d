import type { ServerProcess, SinkProcess } from './procs.ts';

/** Run-wide settings and the process registry (every child is killed if the runner dies). */
export interface Ctx {
  quick: boolean;
  profile: boolean;
  /** Scratch directory of this run. */
  dir: string;
  log(msg: string): void;
  track<T extends ServerProcess | SinkProcess>(p: T): T;
  /** Correctness failures (lost events, errors): any makes the run exit non-zero. */
  failures: string[];
  /** Incidents worth reporting that are not correctness failures (e.g. a server killed from outside). */
  notes: string[];
}

/** Monotonic microseconds, comparable with .cpuprofile sample times. */
export function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
