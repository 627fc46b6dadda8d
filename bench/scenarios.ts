import { join } from 'node:path';
import { BodyFactory } from './lib/bodies.ts';
import { SECRET } from './lib/config.ts';
import { type Ctx, monoUs } from './lib/context.ts';
import { type E2eRace, type E2eResult, e2eRace, endToEnd, gatewaySystem } from './lib/e2e.ts';
import { startPeers } from './lib/peer.ts';
import { prefill, prefillHistorySqlite } from './lib/prefill.ts';
import { cli, type ServerProcess, SinkProcess as Sink, sleep, startBaseline } from './lib/procs.ts';
import { type HotSpot, hotSpots } from './lib/profile.ts';
import {
  type Gw,
  gateway,
  type Measured,
  measure,
  pgSchema,
  rounds,
  type Target,
  type ThreadSplit,
  warmup,
} from './lib/setup.ts';
import { median } from './lib/stats.ts';
import { type StoreCeiling, storeCeiling } from './lib/store-ceiling.ts';

/** Median figures of one target over its rounds. */
export interface Summary {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  /** Median share of the machine's CPU left idle during the rounds (see Measured.idle). */
  idle: number;
  rounds: number;
  non2xx: number;
  errors: number;
  all: number[];
  /** Medians of each round's split of the CPU by thread (single-process targets only). */
  threads?: ThreadSplit;
}

export function summarize(name: string, runs: Measured[]): Summary {
  const split = runs.flatMap((r) => (r.threads ? [r.threads] : []));
  return {
    name,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuUs: median(runs.map((r) => r.cpuUsPerOk)),
    idle: median(runs.map((r) => r.idle)),
    rounds: runs.length,
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors + r.timeouts, 0),
    all: runs.map((r) => r.rps),
    ...(split.length === runs.length && {
      threads: {
        main: median(split.map((t) => t.main)),
        busiest: median(split.map((t) => t.busiest)),
        rest: median(split.map((t) => t.rest)),
      },
    }),
  };
}

/** A profile summary for the report. */
export interface ProfileSummary {
  what: string;
  busyShare: number;
  spots: HotSpot[];
  areas: HotSpot[];
}

function profileOf(what: string, dir: string, windows: Array<[number, number]>): ProfileSummary {
  const h = hotSpots(dir, 20, windows);
  return {
    what,
    busyShare: h.totalMs ? h.busyMs / h.totalMs : 0,
    spots: h.spots,
    areas: h.byArea.slice(0, 12),
  };
}

const CONNECTIONS = 16;
/** A burst from many senders at once: more requests wait on each group commit. */
const WIDE_CONNECTIONS = 64;

// ---------------------------------------------------------------------------------------------------- ingest

export interface IngestResults {
  baseline: Summary;
  gateway: Summary;
  gatewayInfo?: Summary;
  halfRate: number;
  halfBaseline: Summary;
  halfGateway: Summary;
  /** The SQLite store's own ingest, no HTTP (see storeCeiling). */
  storeCeiling: StoreCeiling[];
  /** Every server again at WIDE_CONNECTIONS: how the ratios move when more requests share a commit. */
  wide?: { connections: number; baseline: Summary; gateway: Summary };
  rss: { baselineMb: number; gatewayMb: number };
  profile?: ProfileSummary;
  /** The Koa + BullMQ peer in the same rounds; absent when it could not run (see `peerSkipped`). */
  peer?: PeerIngest;
  peerSkipped?: string;
}

/** The peer's ingest figures, from the same interleaved rounds as the gateway's. */
export interface PeerIngest {
  /** Redis with `appendonly yes, appendfsync always` (a durable ack), at CONNECTIONS. */
  durable: Summary;
  /** Redis defaults (not durable), at CONNECTIONS. */
  defaults: Summary;
  /** The durable peer at the gateway's half max rate. */
  halfDurable: Summary;
  wideDurable: Summary;
  wideDefaults: Summary;
  /** Peak RSS (VmHWM) in MB of the durable peer's app and of its redis-server. */
  rss: { appMb: number; redisMb: number };
}

/** Scenario 1: durable ingest (SQLite, destination paused so only ingest runs) vs the bare Koa ceiling. */
export async function ingestScenario(ctx: Ctx, baseline: ServerProcess): Promise<IngestResults> {
  const n = ctx.quick ? 1 : 3;
  const duration = ctx.quick ? 2 : 8;
  const gw = await gateway(ctx, 'ingest', { paused: true });
  const gwInfo = ctx.quick
    ? undefined
    : await gateway(ctx, 'ingest-info', { paused: true, logLevel: 'info' });
  // The peer's worker is not started: its jobs stay queued, as the gateway's destination stays paused.
  const { peers, skipped: peerSkipped } = await startPeers(ctx, [{ durable: true }, { durable: false }]);
  const base: Target = { name: 'bare Koa baseline', procs: [baseline] };
  const gwTarget: Target = { name: 'gateway (sqlite)', procs: [gw.proc] };
  const peerTargets = peers.map((p) => p.target);
  const targets: Target[] = [
    base,
    gwTarget,
    ...(gwInfo ? [{ name: 'gateway, LOG_LEVEL=info', procs: [gwInfo.proc] }] : []),
    ...peerTargets,
  ];
  ctx.log(
    `ingest: warm-up, then ${n} interleaved round(s) of ${duration} s at full speed, ${CONNECTIONS} connections`,
  );
  if (!ctx.quick) await warmup(targets, 2);
  const max = await rounds(ctx, targets, n, { connections: CONNECTIONS, duration }, 'max');
  const gateway_ = summarize('gateway (sqlite)', max.get('gateway (sqlite)')!);
  const halfRate = Math.max(10, Math.round(gateway_.rps / 2));
  ctx.log(
    `ingest: p99 at half the gateway's max rate: ${halfRate} req/s (autocannon overallRate), bare Koa, gateway${peers.length ? ', durable peer' : ''}`,
  );
  const halfTargets = [base, gwTarget, ...peerTargets.slice(0, 1)];
  const half = await rounds(
    ctx,
    halfTargets,
    n,
    { connections: CONNECTIONS, duration, overallRate: halfRate },
    'half',
  );
  ctx.log(
    `ingest: bare Koa, gateway${peers.length ? ' and peers' : ''} again with ${WIDE_CONNECTIONS} connections`,
  );
  const w = await rounds(
    ctx,
    [base, gwTarget, ...peerTargets],
    n,
    { connections: WIDE_CONNECTIONS, duration },
    `${WIDE_CONNECTIONS} conns`,
  );
  const wide: IngestResults['wide'] = {
    connections: WIDE_CONNECTIONS,
    baseline: summarize('bare Koa baseline', w.get('bare Koa baseline')!),
    gateway: summarize('gateway (sqlite)', w.get('gateway (sqlite)')!),
  };
  let peer: PeerIngest | undefined;
  if (peers.length) {
    const [d, def] = peers;
    peer = {
      durable: summarize(d.name, max.get(d.name)!),
      defaults: summarize(def.name, max.get(def.name)!),
      halfDurable: summarize(d.name, half.get(d.name)!),
      wideDurable: summarize(d.name, w.get(d.name)!),
      wideDefaults: summarize(def.name, w.get(def.name)!),
      rss: { appMb: d.app.memory().hwmMb, redisMb: d.redis.memory().hwmMb },
    };
    for (const p of peers) await p.stop();
  }
  ctx.log('ingest: the SQLite store alone (its ingest in a loop, no HTTP), batches of 8 and 16');
  const ceiling = await storeCeiling(gw.config, join(ctx.dir, 'store-ceiling.db'), {
    batches: [8, 16],
    events: ctx.quick ? 1_000 : 8_000,
    rounds: n,
  });
  for (const c of ceiling)
    ctx.log(
      `  batches of ${c.batch}: ${c.eventsPerS.toFixed(0)} events/s, ${c.cpuUsPerEvent.toFixed(0)} µs CPU per event`,
    );
  let profile: ProfileSummary | undefined;
  if (ctx.profile) {
    const prof = await gateway(ctx, 'ingest-prof', { paused: true, profile: true });
    ctx.log('ingest: one profiled run (node --cpu-prof on the gateway)');
    const factory = new BodyFactory(SECRET);
    await measure({ name: 'warm', procs: [prof.proc] }, factory, { connections: 8, duration: 1 });
    const a = monoUs();
    await measure({ name: 'prof', procs: [prof.proc] }, factory, { connections: CONNECTIONS, duration });
    const b = monoUs();
    await prof.proc.stop();
    profile = profileOf('ingest at full speed (SQLite, durable ack)', prof.profDir!, [[a, b]]);
  }
  const rss = { baselineMb: baseline.memory().hwmMb, gatewayMb: gw.proc.memory().hwmMb };
  await gw.proc.stop();
  await gwInfo?.proc.stop();
  return {
    baseline: summarize('bare Koa baseline', max.get('bare Koa baseline')!),
    gateway: gateway_,
    gatewayInfo: gwInfo
      ? summarize('gateway, LOG_LEVEL=info', max.get('gateway, LOG_LEVEL=info')!)
      : undefined,
    halfRate,
    halfBaseline: summarize('bare Koa baseline', half.get('bare Koa baseline')!),
    halfGateway: summarize('gateway (sqlite)', half.get('gateway (sqlite)')!),
    storeCeiling: ceiling,
    wide,
    rss,
    profile,
    peer,
    peerSkipped,
  };
}

// ---------------------------------------------------------------------------------------------------- end to end

export interface E2eResults {
  main: E2eResult;
  profile?: ProfileSummary;
  /** Gateway versus the durable Koa + BullMQ peer at full speed; absent when the peer could not run. */
  race?: E2eRace;
  peerSkipped?: string;
}

/** Scenario 2: events through an http destination into the loopback sink (SQLite store). */
export async function e2eScenario(ctx: Ctx, rate: number): Promise<E2eResults> {
  const sink = ctx.track(await Sink.start());
  const seconds = ctx.quick ? 3 : 60;
  const gw = await gateway(ctx, 'e2e', { sinkUrl: sink.url });
  ctx.log(`e2e: ${seconds} s at ${rate} events/s offered, http destination → sink process`);
  if (!ctx.quick)
    await endToEnd(ctx, 'warm-up', gatewaySystem('warm-up', [gw]), sink, {
      rate: Math.min(rate, 200),
      seconds: 1,
      drainCapS: 20,
    });
  const label = `e2e ${rate}/s × ${seconds} s`;
  const main = await endToEnd(ctx, label, gatewaySystem(label, [gw]), sink, {
    rate,
    seconds,
    drainCapS: ctx.quick ? 40 : 45,
  });
  await gw.proc.stop();
  let profile: ProfileSummary | undefined;
  if (ctx.profile) {
    const prof = await gateway(ctx, 'e2e-prof', { sinkUrl: sink.url, profile: true });
    ctx.log('e2e: one profiled run (node --cpu-prof on the gateway)');
    const a = monoUs();
    await endToEnd(ctx, 'profiled', gatewaySystem('profiled', [prof]), sink, {
      rate,
      seconds: ctx.quick ? 2 : 8,
      drainCapS: 5,
    });
    const b = monoUs();
    await prof.proc.stop();
    profile = profileOf(`end to end at ${rate}/s offered (ingest + delivery, SQLite)`, prof.profDir!, [
      [a, b],
    ]);
  }
  const {
    peers: [peer],
    skipped: peerSkipped,
  } = await startPeers(ctx, [{ durable: true, sinkUrl: sink.url }]);
  let race: E2eRace | undefined;
  if (peer) {
    const raceSeconds = ctx.quick ? 2 : 10;
    const n = ctx.quick ? 1 : 2;
    ctx.log(
      `e2e: gateway vs Koa + BullMQ (AOF always), ${n} interleaved round(s) of ${raceSeconds} s at full speed, then drain`,
    );
    race = await e2eRace(ctx, sink, peer, {
      rounds: n,
      seconds: raceSeconds,
      drainCapS: ctx.quick ? 60 : 120,
    });
  }
  await sink.stop();
  return { main, profile, race, peerSkipped };
}

// ---------------------------------------------------------------------------------------------------- backlog

export interface BacklogResults {
  queued: number;
  fillS: number;
  rssIdleMb: number;
  rssHoldMb: number;
  rssPeakMb: number;
  drained: number;
  drainWindowS: number;
  drainRate: number;
  baselineRssMb: number;
}

/** Scenario 3: a queued backlog (destination paused), then resumed: peak RSS and drain rate. */
export async function backlogScenario(ctx: Ctx, baseline: ServerProcess): Promise<BacklogResults> {
  const queued = ctx.quick ? 5_000 : 100_000;
  const sink = ctx.track(await Sink.start());
  let fillS = 0;
  ctx.log(
    `backlog: queueing ${queued} deliveries for a paused destination (store pre-filled through store.ingest)`,
  );
  const gw = await gateway(ctx, 'backlog', {
    sinkUrl: sink.url,
    paused: true,
    prepare: async (config) => {
      fillS = await prefill(config, queued, {
        state: 'pending',
        progress: (d) => d % 20_000 === 0 && ctx.log(`  queued ${d}`),
      });
    },
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, gw.proc.memory().rssMb);
  }, 100);
  const rssIdleMb = gw.proc.memory().rssMb;
  await sleep(ctx.quick ? 500 : 3000);
  const rssHoldMb = gw.proc.memory().rssMb;
  await cli(['resume', 'sink', '--config', gw.config]);
  const t0 = Date.now();
  const windowMs = (ctx.quick ? 3 : 30) * 1000;
  let drained = 0;
  while (Date.now() - t0 < windowMs) {
    await sleep(250);
    drained = (await sink.stats()).distinct;
    if (drained >= queued) break;
  }
  const drainWindowS = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const rssPeakMb = Math.max(peak, gw.proc.memory().hwmMb);
  ctx.log(
    `  backlog ${queued}: RSS idle ${rssIdleMb.toFixed(0)} MB, holding ${rssHoldMb.toFixed(0)} MB, peak ${rssPeakMb.toFixed(0)} MB; drained ${drained} in ${drainWindowS.toFixed(1)} s = ${(drained / drainWindowS).toFixed(0)}/s`,
  );
  await gw.proc.stop();
  await sink.stop();
  return {
    queued,
    fillS,
    rssIdleMb,
    rssHoldMb,
    rssPeakMb,
    drained,
    drainWindowS,
    drainRate: drained / drainWindowS,
    baselineRssMb: baseline.memory().hwmMb,
  };
}

// ---------------------------------------------------------------------------------------------------- growth

export interface GrowthResults {
  small: number;
  large: number;
  prefillS: number;
  smallSummary: Summary;
  largeSummary: Summary;
  ratio: number;
}

/** Scenario 4: ingest throughput with a small versus a large store already in place. */
export async function growthScenario(ctx: Ctx): Promise<GrowthResults> {
  const small = 1_000;
  const large = ctx.quick ? 50_000 : 1_000_000;
  const fill = async (count: number, config: string, dir: string) => {
    await prefillHistorySqlite(config, `${dir}/sb.db`, count, (d) => {
      if (d % 200_000 === 0 || d === count) ctx.log(`  history ${d}/${count}`);
    });
  };
  ctx.log(`growth: pre-filling ${small} and ${large} delivered events`);
  const t0 = Date.now();
  const a = await gateway(ctx, 'growth-small', { paused: true, prepare: (c, d) => fill(small, c, d) });
  const b = await gateway(ctx, 'growth-large', { paused: true, prepare: (c, d) => fill(large, c, d) });
  const prefillS = (Date.now() - t0) / 1000;
  const targets: Target[] = [
    { name: `store with ${small}`, procs: [a.proc] },
    { name: `store with ${large}`, procs: [b.proc] },
  ];
  if (!ctx.quick) await warmup(targets, 1);
  const res = await rounds(
    ctx,
    targets,
    ctx.quick ? 1 : 3,
    { connections: CONNECTIONS, duration: ctx.quick ? 2 : 6 },
    'growth',
  );
  await a.proc.stop();
  await b.proc.stop();
  const smallSummary = summarize(targets[0].name, res.get(targets[0].name)!);
  const largeSummary = summarize(targets[1].name, res.get(targets[1].name)!);
  return { small, large, prefillS, smallSummary, largeSummary, ratio: largeSummary.rps / smallSummary.rps };
}

// ---------------------------------------------------------------------------------------------------- postgres

export interface PgResults {
  ingest: Summary[];
  baseline: Summary;
  /** A SQLite gateway in the same rounds: the yardstick of the PostgreSQL store's ingest. */
  sqlite?: Summary;
  /**
   * Medians of the per-round ratios: one PostgreSQL instance to SQLite, two instances on one schema to one.
   * Absent in quick runs (one instance only).
   */
  ratios?: {
    oneToSqlite: number;
    twoToOne: number;
    /**
     * The most a second instance could add if the machine is the limit: one instance's rounds left `idle` of
     * the machine's CPU unused, so at the same CPU per request the rate can grow by at most 1 / (1 − idle).
     */
    cpuCeiling: number;
  };
  e2e: E2eResult[];
}

/** Scenario 5: the PostgreSQL store, one instance and two instances sharing one schema, next to SQLite. */
export async function pgScenario(ctx: Ctx, baseline: ServerProcess, rate: number): Promise<PgResults> {
  const counts = ctx.quick ? [1] : [1, 2];
  const out: PgResults = { ingest: [], baseline: undefined as unknown as Summary, e2e: [] };
  // Ingest: destination paused; one schema per instance count.
  const sqlite = await gateway(ctx, 'pg-ingest-sqlite', { paused: true });
  const ingestTargets: Target[] = [
    { name: 'bare Koa baseline', procs: [baseline] },
    { name: 'sqlite ×1', procs: [sqlite.proc] },
  ];
  const cleanup: Array<() => Promise<void>> = [];
  const all: Gw[] = [sqlite];
  for (const n of counts) {
    const schema = await pgSchema(`ingest${n}`);
    cleanup.push(schema.drop);
    const gws: Gw[] = [];
    for (let i = 0; i < n; i++) {
      gws.push(
        await gateway(ctx, `pg-ingest-${n}-${i}`, {
          store: { driver: 'postgres', url: schema.url },
          paused: i === 0,
        }),
      );
    }
    all.push(...gws);
    ingestTargets.push({ name: `postgres ×${n}`, procs: gws.map((g) => g.proc) });
  }
  ctx.log(`postgres: ingest, ${counts.map((n) => `${n} instance(s)`).join(' and ')}, and SQLite`);
  if (!ctx.quick) await warmup(ingestTargets.slice(1), 3);
  const res = await rounds(
    ctx,
    ingestTargets,
    ctx.quick ? 1 : 3,
    { connections: CONNECTIONS, duration: ctx.quick ? 2 : 6 },
    'pg',
  );
  out.baseline = summarize('bare Koa baseline', res.get('bare Koa baseline')!);
  out.sqlite = summarize('sqlite ×1', res.get('sqlite ×1')!);
  for (const t of ingestTargets.slice(2)) out.ingest.push(summarize(t.name, res.get(t.name)!));
  // Ratios round by round (the targets ran back to back), then their median: drift on the machine cancels out.
  const ratio = (a: string, b: string) => median(res.get(a)!.map((m, i) => m.rps / res.get(b)![i].rps));
  if (counts.includes(2))
    out.ratios = {
      oneToSqlite: ratio('postgres ×1', 'sqlite ×1'),
      twoToOne: ratio('postgres ×2', 'postgres ×1'),
      cpuCeiling: median(res.get('postgres ×1')!.map((m) => 1 / Math.max(0.01, 1 - m.idle))),
    };
  for (const g of all) await g.proc.stop();
  // End to end.
  const sink = ctx.track(await Sink.start());
  for (const n of counts) {
    const schema = await pgSchema(`e2e${n}`);
    cleanup.push(schema.drop);
    const gws: Gw[] = [];
    for (let i = 0; i < n; i++) {
      gws.push(
        await gateway(ctx, `pg-e2e-${n}-${i}`, {
          store: { driver: 'postgres', url: schema.url },
          sinkUrl: sink.url,
        }),
      );
    }
    const seconds = ctx.quick ? 2 : 15;
    const r = ctx.quick ? Math.min(rate, 100) : rate;
    out.e2e.push(
      await endToEnd(
        ctx,
        `postgres ×${n} e2e ${r}/s × ${seconds} s`,
        gatewaySystem(`postgres ×${n}`, gws),
        sink,
        {
          rate: r,
          seconds,
          drainCapS: ctx.quick ? 20 : 40,
        },
      ),
    );
    for (const g of gws) await g.proc.stop();
  }
  await sink.stop();
  for (const drop of cleanup) await drop().catch(() => {});
  return out;
}

export type { E2eResult };
export { startBaseline };
