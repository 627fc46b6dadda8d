import type { Summary } from '../scenarios.ts';
import type { E2eResult } from './e2e.ts';
import { fmt } from './stats.ts';

/** Table cells of one markdown row. */
export type Cells = Array<string | number>;

/** Milliseconds with one decimal, or n/a. */
export const ms = (n: number) => (Number.isFinite(n) ? `${fmt(n, 1)} ms` : 'n/a');

function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** A markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

/** `a / b` as "1.23×", or n/a. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${fmt(a / b, 2)}×` : 'n/a';
}

/**
 * One server's median figures as a row of SUM_HEAD (`base`: the bare Koa row the ratio is to); with `peer`, a
 * row of PEER_SUM_HEAD (one more column: the ratio to the durable Koa + BullMQ peer of the same rounds).
 */
export function sumRow(s: Summary, base?: Summary, peer?: Summary): Cells {
  return [
    s.name,
    fmt(s.rps),
    base ? ratio(s.rps, base.rps) : '1.00×',
    ...(peer ? [ratio(s.rps, peer.rps)] : []),
    ms(s.p50),
    ms(s.p99),
    `${fmt(s.cpuUs)} µs`,
    s.idle === undefined ? '—' : `${fmt(s.idle * 100)} %`,
    s.all.map((x) => fmt(x)).join(' / '),
    s.non2xx + s.errors,
  ];
}

/** Columns of a summary table. */
export const SUM_HEAD = [
  'server',
  'req/s (median)',
  'vs baseline',
  'p50 ack',
  'p99 ack',
  'server CPU / req',
  'machine idle',
  'rounds (req/s)',
  'non-2xx + errors',
];

/** SUM_HEAD with the ratio to the durable peer after the ratio to bare Koa. */
export const PEER_SUM_HEAD = [...SUM_HEAD.slice(0, 3), 'vs Koa + BullMQ (AOF always)', ...SUM_HEAD.slice(3)];

/** One end-to-end run as a row of E2E_HEAD. */
export function e2eRow(e: E2eResult): Array<string | number> {
  return [
    e.label,
    e.instances,
    `${e.offeredRate ? `${fmt(e.offeredRate)}/s` : 'as fast as acked'} × ${e.seconds} s`,
    fmt(e.ackRps),
    fmt(e.sustainedRate),
    fmt(e.deliveredRate),
    `${fmt(e.acked)} / ${fmt(e.delivered)}`,
    e.lost,
    e.duplicates,
    e.queuedAtEnd,
    ms(e.lagP50),
    ms(e.lagP95),
    ms(e.ackP99),
  ];
}

/** Columns of an end-to-end table. */
export const E2E_HEAD = [
  'run',
  'instances',
  'offered',
  'acked/s',
  'delivered/s during load',
  'delivered/s to last',
  'acked / delivered',
  'lost',
  'dup',
  'still queued',
  'lag p50',
  'lag p95',
  'ack p99',
];

/** **met** / **missed** / not run. */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not run' : ok ? '**met**' : '**missed**';
}
