import type { ChildProcess } from 'node:child_process';

/** A child process the runner kills if it dies itself (servers, the sink, redis-server). */
export interface Tracked {
  child: ChildProcess;
  stop(): Promise<unknown>;
  /** How it ended without being asked to, if it did. */
  deaths?: string[];
}

/** Run-wide settings and the process registry (every child is killed if the runner dies). */
export interface Ctx {
  quick: boolean;
  profile: boolean;
  /** Scratch directory of this run. */
  dir: string;
  log(msg: string): void;
  track<T extends Tracked>(p: T): T;
  /** Correctness failures (lost events, errors): any makes the run exit non-zero. */
  failures: string[];
  /** Incidents worth reporting that are not correctness failures (e.g. a server killed from outside). */
  notes: string[];
}

/** Monotonic microseconds, comparable with .cpuprofile sample times. */
export function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
