import { BodyFactory } from './bodies.ts';
import { SECRET } from './config.ts';
import type { Ctx } from './context.ts';
import type { Peer } from './peer.ts';
import { queuedEventIds } from './prefill.ts';
import { type SinkProcess, sleep } from './procs.ts';
import { type Gw, gateway, measure, type Target } from './setup.ts';
import { median, quantile } from './stats.ts';

/** Load generator connections for end-to-end runs. */
const CONNECTIONS = 16;

/** What one end-to-end run measured. Rates per second, lags and latencies in ms. */
export interface E2eResult {
  label: string;
  instances: number;
  /** Offered events/s; 0 = as fast as the system acks. */
  offeredRate: number;
  seconds: number;
  ackRps: number;
  ackP99: number;
  acked: number;
  delivered: number;
  /** Delivered per second while the load ran (sustained), and over the whole run until the last delivery. */
  sustainedRate: number;
  deliveredRate: number;
  lost: number;
  duplicates: number;
  queuedAtEnd: number;
  drainS: number;
  lagP50: number;
  lagP95: number;
  lagP99: number;
  non2xx: number;
  /** Peak RSS in MB: the largest gateway instance, or the peer's app + worker + redis-server together. */
  rssMb: number;
}

/** A system that ingests and delivers to the sink: gateway instances, or the Koa + BullMQ peer. */
export interface System {
  target: Target;
  instances: number;
  /** Of these acked ids the sink never saw, those still queued for delivery. */
  queued(ids: string[]): Promise<Set<string>>;
  rssMb(): number;
  /**
   * Whether a loss or duplicate is a correctness failure of this run (the gateway: the run exits non-zero) or
   * a finding about someone else's software (the peer: reported in the table and in the run's notes).
   */
  ours: boolean;
}

/** Gateway instances sharing one store, as a System. */
export function gatewaySystem(label: string, gws: Gw[]): System {
  return {
    target: { name: label, procs: gws.map((g) => g.proc) },
    instances: gws.length,
    queued: async () => queuedEventIds(gws[0].store),
    rssMb: () => Math.max(...gws.map((g) => g.proc.memory().hwmMb)),
    ours: true,
  };
}

/** A peer started with a sink (so with its worker), as a System. */
export function peerSystem(peer: Peer): System {
  return {
    target: peer.target,
    instances: 1,
    queued: (ids) => peer.queued(ids),
    rssMb: () => peer.app.memory().hwmMb + (peer.worker?.memory().hwmMb ?? 0) + peer.redis.memory().hwmMb,
    ours: false,
  };
}

/**
 * Offers `rate` events/s (as fast as acked when absent) for `seconds` to the system, then waits (up to
 * `drainCapS`, or 10 s without progress) for the sink to see every acked event; counts lost and duplicates.
 */
export async function endToEnd(
  ctx: Ctx,
  label: string,
  sys: System,
  sink: SinkProcess,
  opts: { rate?: number; seconds: number; drainCapS: number },
): Promise<E2eResult> {
  await sink.reset();
  const factory = new BodyFactory(SECRET);
  const started = Date.now();
  const r = await measure(sys.target, factory, {
    connections: CONNECTIONS,
    duration: opts.seconds,
    overallRate: opts.rate,
    collectIds: true,
  });
  const atEnd = await sink.stats();
  const loadEnd = Date.now();
  const acked = new Set(r.ids);
  let last = atEnd.distinct;
  let stalled = 0;
  const cap = loadEnd + opts.drainCapS * 1000;
  while (Date.now() < cap) {
    const s = await sink.stats();
    if (s.distinct >= acked.size) break;
    stalled = s.distinct === last ? stalled + 1 : 0;
    last = s.distinct;
    if (stalled > 40) break; // 10 s without progress
    await sleep(250);
  }
  const rep = await sink.report();
  const got = new Set(rep.ids);
  const missing = r.ids.filter((id) => !got.has(id));
  const queued = missing.length ? await sys.queued(missing) : new Set<string>();
  const lost = missing.filter((id) => !queued.has(id)).length;
  const result: E2eResult = {
    label,
    instances: sys.instances,
    offeredRate: opts.rate ?? 0,
    seconds: opts.seconds,
    ackRps: r.rps,
    ackP99: r.p99,
    acked: acked.size,
    delivered: r.ids.length - missing.length,
    sustainedRate: atEnd.distinct / ((loadEnd - started) / 1000),
    deliveredRate: rep.distinct / (Math.max(1, rep.lastAt - started) / 1000),
    lost,
    duplicates: rep.duplicates,
    queuedAtEnd: missing.length - lost,
    drainS: Math.max(0, (rep.lastAt - loadEnd) / 1000),
    lagP50: quantile(rep.lags, 0.5),
    lagP95: quantile(rep.lags, 0.95),
    lagP99: quantile(rep.lags, 0.99),
    non2xx: r.non2xx,
    rssMb: sys.rssMb(),
  };
  ctx.log(
    `  ${label}: acked ${result.acked} (${r.rps.toFixed(0)}/s), delivered ${result.delivered} (${result.deliveredRate.toFixed(0)}/s to the last), sustained ${result.sustainedRate.toFixed(0)}/s, lag p50 ${result.lagP50} ms p95 ${result.lagP95} ms, lost ${lost}, duplicates ${result.duplicates}, still queued ${result.queuedAtEnd}`,
  );
  const problems = [
    ...(lost > 0 ? [`${label}: ${lost} acked events never reached the sink and are not queued (LOST)`] : []),
    ...(result.duplicates > 0
      ? [`${label}: the sink received ${result.duplicates} duplicate deliveries`]
      : []),
  ];
  (sys.ours ? ctx.failures : ctx.notes).push(...problems);
  return result;
}

/** The gateway and the durable peer end to end, each offered load as fast as it acks, in interleaved rounds. */
export interface E2eRace {
  seconds: number;
  gateway: E2eResult[];
  peer: E2eResult[];
  /** Medians over the rounds of delivered/s from the first request to the last delivery. */
  gatewayRate: number;
  peerRate: number;
}

/**
 * Full-speed end to end, gateway (SQLite, http destination) versus `peer` (started with the sink, so its worker
 * delivers; stopped at the end): each round loads one for `seconds` at full speed and waits for the sink to
 * see everything acked; the order flips every round. The figure is delivered/s to the last delivery.
 */
export async function e2eRace(
  ctx: Ctx,
  sink: SinkProcess,
  peer: Peer,
  opts: { rounds: number; seconds: number; drainCapS: number },
): Promise<E2eRace> {
  const gw = await gateway(ctx, 'e2e-max', { sinkUrl: sink.url }).catch(async (err: unknown) => {
    await peer.stop();
    throw err;
  });
  const systems = [gatewaySystem('gateway (sqlite)', [gw]), peerSystem(peer)];
  const out = new Map<System, E2eResult[]>(systems.map((s) => [s, []]));
  try {
    for (let r = 0; r < opts.rounds; r++) {
      for (const sys of r % 2 === 0 ? systems : [...systems].reverse()) {
        const label = `${sys.target.name} max × ${opts.seconds} s`;
        out.get(sys)!.push(await endToEnd(ctx, label, sys, sink, opts));
      }
    }
  } finally {
    await gw.proc.stop();
    await peer.stop();
  }
  const [g, p] = systems.map((s) => out.get(s)!);
  return {
    seconds: opts.seconds,
    gateway: g,
    peer: p,
    gatewayRate: median(g.map((x) => x.deliveredRate)),
    peerRate: median(p.map((x) => x.deliveredRate)),
  };
}
