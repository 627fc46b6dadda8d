import type { Summary } from '../scenarios.ts';
import type { E2eResult } from './e2e.ts';
import { PEER_DEFAULTS, PEER_DURABLE } from './peer.ts';
import type { RunResults } from './report.ts';
import { fmt } from './stats.ts';
import { type Cells, E2E_HEAD, e2eRow, ms, ratio, table, verdict } from './tables.ts';

/** The issue #19 targets, as numbers, so a later session sees where it stands against them. */
export const TARGETS = {
  /** Durable ingest req/s ÷ the durable peer's, at 16 and at 64 connections. */
  ingestVsPeer: 1.5,
  /** Gateway server CPU per request at 16 connections, max rate, µs. */
  cpuUsPerRequest: 120,
  /** Delivered/s end to end ÷ the durable peer's, with 0 lost and 0 duplicates. */
  e2eVsPeer: 3,
  /** p99 ack at half the gateway's max rate ÷ bare Koa's p99 at that rate (at most). */
  halfLoadP99VsBareKoa: 3,
};

/** The Method bullet describing the peer. */
export const PEER_METHOD = `- The peer, "what a Node engineer would build instead" (bench/peer/): a Koa app (raw-body, X-Signature HMAC-SHA256 checked in constant time, JSON.parse, BullMQ \`queue.add\`, answers 200 \`{"id":"<job id>"}\` once Redis has replied) and a BullMQ worker process (concurrency 16, POST to the same sink, 10 s timeout, 10 attempts, exponential backoff from 1 s, completed jobs trimmed to the last 1,000). Each variant gets its own redis-server, started by the bench on a free port with its data directory in the run's scratch space: "${PEER_DURABLE}" runs \`appendonly yes\`, \`appendfsync always\` (the reply to an add is sent after its fsync: a durable ack, like the gateway's); "${PEER_DEFAULTS}" runs redis-server's defaults (no AOF; an ack is only in memory). The peer's server CPU counts the app and redis-server (with the forks it reaps). In ingest runs the worker is not started, as the gateway's destination is paused; the peer takes the same interleaved rounds as the gateway and bare Koa.`;

const µs = (n: number) => `${fmt(n)} µs`;

/** Sum of lost and duplicates over end-to-end runs. */
function faults(runs: E2eResult[]): { lost: number; duplicates: number } {
  return {
    lost: runs.reduce((a, e) => a + e.lost, 0),
    duplicates: runs.reduce((a, e) => a + e.duplicates, 0),
  };
}

/** Rows of the Targets table for the issue #19 targets (versus the peer and bare Koa). */
export function versusTargets(r: RunResults): Cells[] {
  const t: Cells[] = [];
  const i = r.ingest;
  const skipped = i?.peerSkipped ?? r.e2e?.peerSkipped;
  const notRun = `not run${skipped ? ' (see the incidents)' : ''}`;
  if (i) {
    const vs = (gw: Summary, peer: Summary | undefined, conns: number): Cells => [
      `durable ingest ≥ ${TARGETS.ingestVsPeer}× ${PEER_DURABLE}, ${conns} connections`,
      peer ? `${ratio(gw.rps, peer.rps)} (${fmt(gw.rps)} vs ${fmt(peer.rps)} req/s)` : notRun,
      peer ? verdict(gw.rps / peer.rps >= TARGETS.ingestVsPeer) : notRun,
    ];
    t.push(vs(i.gateway, i.peer?.durable, 16));
    if (i.wide) t.push(vs(i.wide.gateway, i.peer?.wideDurable, i.wide.connections));
    t.push([
      `server CPU ≤ ${TARGETS.cpuUsPerRequest} µs per request (16 connections, max rate)`,
      `${µs(i.gateway.cpuUs)} (${PEER_DURABLE}: ${i.peer ? `${µs(i.peer.durable.cpuUs)} incl. redis-server` : 'not run'}; bare Koa ${µs(i.baseline.cpuUs)})`,
      verdict(i.gateway.cpuUs <= TARGETS.cpuUsPerRequest),
    ]);
    const p99 = i.halfGateway.p99 / i.halfBaseline.p99;
    t.push([
      `p99 ack at half max load (${fmt(i.halfRate)} req/s) ≤ ${TARGETS.halfLoadP99VsBareKoa}× bare Koa's p99`,
      `${ratio(i.halfGateway.p99, i.halfBaseline.p99)} (${ms(i.halfGateway.p99)} vs ${ms(i.halfBaseline.p99)}; ${PEER_DURABLE} ${i.peer ? ms(i.peer.halfDurable.p99) : 'not run'})`,
      verdict(p99 <= TARGETS.halfLoadP99VsBareKoa),
    ]);
  }
  if (r.e2e) {
    const race = r.e2e.race;
    const f = race ? faults(race.gateway) : undefined;
    t.push([
      `end to end ≥ ${TARGETS.e2eVsPeer}× ${PEER_DURABLE}, 0 lost, 0 duplicates`,
      race && f
        ? `${ratio(race.gatewayRate, race.peerRate)} (${fmt(race.gatewayRate)} vs ${fmt(race.peerRate)} delivered/s, full speed); lost ${f.lost}, duplicates ${f.duplicates}`
        : notRun,
      race && f
        ? verdict(race.gatewayRate / race.peerRate >= TARGETS.e2eVsPeer && f.lost + f.duplicates === 0)
        : notRun,
    ]);
  }
  return t;
}

/** The "Versus Koa + BullMQ" section: every figure of the same rounds, with its ratio to the peer and bare Koa. */
export function versusSection(r: RunResults): string[] {
  const i = r.ingest;
  const race = r.e2e?.race;
  if (!i?.peer && !race) {
    const why = i?.peerSkipped ?? r.e2e?.peerSkipped;
    return why ? ['## Versus Koa + BullMQ', '', `${why}.`, ''] : [];
  }
  const rows: Cells[] = [];
  const p = i?.peer;
  if (i && p) {
    const line = (
      figure: string,
      gw: number,
      peer: number,
      nd: number,
      bare: number,
      show: (n: number) => string,
    ) => [figure, show(gw), show(peer), show(nd), show(bare), ratio(gw, peer), ratio(gw, bare)];
    const rps = (n: number) => fmt(n);
    rows.push(
      line(
        'ingest, req/s, 16 connections',
        i.gateway.rps,
        p.durable.rps,
        p.defaults.rps,
        i.baseline.rps,
        rps,
      ),
    );
    if (i.wide)
      rows.push(
        line(
          `ingest, req/s, ${i.wide.connections} connections`,
          i.wide.gateway.rps,
          p.wideDurable.rps,
          p.wideDefaults.rps,
          i.wide.baseline.rps,
          rps,
        ),
      );
    rows.push(
      line(
        'server CPU / request, 16 connections (lower is better)',
        i.gateway.cpuUs,
        p.durable.cpuUs,
        p.defaults.cpuUs,
        i.baseline.cpuUs,
        µs,
      ),
    );
    if (i.wide)
      rows.push(
        line(
          `server CPU / request, ${i.wide.connections} connections (lower is better)`,
          i.wide.gateway.cpuUs,
          p.wideDurable.cpuUs,
          p.wideDefaults.cpuUs,
          i.wide.baseline.cpuUs,
          µs,
        ),
      );
    rows.push(
      line(
        'p99 ack at max rate, 16 connections (lower is better)',
        i.gateway.p99,
        p.durable.p99,
        p.defaults.p99,
        i.baseline.p99,
        ms,
      ),
      [
        `p99 ack at half the gateway's max rate, ${fmt(i.halfRate)} req/s (lower is better)`,
        ms(i.halfGateway.p99),
        ms(p.halfDurable.p99),
        '—',
        ms(i.halfBaseline.p99),
        ratio(i.halfGateway.p99, p.halfDurable.p99),
        ratio(i.halfGateway.p99, i.halfBaseline.p99),
      ],
      [
        'peak RSS during ingest (lower is better)',
        `${fmt(i.rss.gatewayMb)} MB`,
        `${fmt(p.rss.appMb + p.rss.redisMb)} MB (app ${fmt(p.rss.appMb)} + redis ${fmt(p.rss.redisMb)})`,
        '—',
        `${fmt(i.rss.baselineMb)} MB`,
        ratio(i.rss.gatewayMb, p.rss.appMb + p.rss.redisMb),
        ratio(i.rss.gatewayMb, i.rss.baselineMb),
      ],
    );
  }
  if (race) {
    const g = faults(race.gateway);
    const pf = faults(race.peer);
    rows.push(
      [
        `end to end, delivered/s (full speed ${race.seconds} s, then drain)`,
        fmt(race.gatewayRate),
        fmt(race.peerRate),
        '—',
        '—',
        ratio(race.gatewayRate, race.peerRate),
        '—',
      ],
      [
        'end to end, lost / duplicates',
        `${g.lost} / ${g.duplicates}`,
        `${pf.lost} / ${pf.duplicates}`,
        '—',
        '—',
        '—',
        '—',
      ],
    );
  }
  const out = [
    '## Versus Koa + BullMQ',
    '',
    'The obvious alternative to a gateway, measured in the same run: the ingest figures come from the same interleaved rounds as the gateway and bare Koa (medians), the end-to-end figures from interleaved full-speed rounds of the gateway and the durable peer. Ratios are Switchboard ÷ the other; for CPU, latency and memory lower is better.',
    '',
    table(
      [
        'figure',
        'Switchboard',
        PEER_DURABLE,
        PEER_DEFAULTS,
        'bare Koa',
        'Switchboard ÷ Koa + BullMQ (AOF always)',
        'Switchboard ÷ bare Koa',
      ],
      rows,
    ),
    '',
  ];
  if (race) {
    out.push(
      'End to end at full speed, every round (each system is offered load as fast as it acks for the stated time, then the sink waits for every acked event; delivered/s to last = the figure above):',
      '',
      table(E2E_HEAD, [...race.gateway, ...race.peer].map(e2eRow)),
      '',
      "A loss or duplicate by the peer is reported here and among the incidents; only the gateway's make the run fail.",
      '',
    );
  }
  return out;
}
