import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type {
  BacklogResults,
  E2eResult,
  E2eResults,
  GrowthResults,
  IngestResults,
  PgResults,
  ProfileSummary,
  Summary,
} from '../scenarios.ts';
import { ROOT } from './paths.ts';
import { START_NODE_OPTIONS } from './procs.ts';
import { fmt } from './stats.ts';

/** Everything a run measured (a scenario left out by --only is absent). */
export interface RunResults {
  quick: boolean;
  startedAt: Date;
  seconds: number;
  e2eRate: number;
  ingest?: IngestResults;
  e2e?: E2eResults;
  backlog?: BacklogResults;
  growth?: GrowthResults;
  pg?: PgResults;
  failures: string[];
  notes: string[];
  loadAverage: number[];
}

const ms = (n: number) => (Number.isFinite(n) ? `${fmt(n, 1)} ms` : 'n/a');

function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

function sumRow(s: Summary, base?: Summary): Array<string | number> {
  return [
    s.name,
    fmt(s.rps),
    base ? `${fmt(s.rps / base.rps, 2)}×` : '1.00×',
    ms(s.p50),
    ms(s.p99),
    `${fmt(s.cpuUs)} µs`,
    s.all.map((x) => fmt(x)).join(' / '),
    s.non2xx + s.errors,
  ];
}

const SUM_HEAD = [
  'server',
  'req/s (median)',
  'vs baseline',
  'p50 ack',
  'p99 ack',
  'server CPU / req',
  'rounds (req/s)',
  'non-2xx + errors',
];

/** Resolves a profiled function to its real source line (tsx-transformed line numbers drift). */
function source(where: string, fn: string): string {
  const m = /^((?:src|plugins)\/[^:]+):\d+$/.exec(where);
  if (!m || fn === '(anonymous)') return where;
  const file = join(ROOT, m[1]);
  if (!existsSync(file)) return where;
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) =>
    new RegExp(`(function\\s+${fn}\\b|^\\s*(async\\s+)?${fn}\\s*\\(|const ${fn} =)`).test(l),
  );
  return i >= 0 ? `${m[1]}:${i + 1}` : where;
}

function profileSection(p: ProfileSummary): string {
  return [
    `**${p.what}** — main thread busy ${fmt(p.busyShare * 100)}% of the measured window.`,
    '',
    table(
      ['self time', 'function', 'where'],
      p.spots
        .slice(0, 15)
        .map((s) => [`${fmt(s.share * 100, 1)}%`, `\`${s.fn}\``, `\`${source(s.where, s.fn)}\``]),
    ),
    '',
    'By area: ' + p.areas.map((a) => `${a.where} ${fmt(a.share * 100, 1)}%`).join(', ') + '.',
  ].join('\n');
}

/** A horizontal bar chart of throughput, plain SVG text. */
export function chart(bars: Array<{ label: string; value: number; kind: 'baseline' | 'gateway' }>): string {
  const w = 720;
  const left = 250;
  const barH = 22;
  const gap = 8;
  const top = 34;
  const h = top + bars.length * (barH + gap) + 24;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Ingest throughput, requests/s (median of rounds, same run)</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const len = Math.max(1, ((w - left - 90) * b.value) / max);
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${len.toFixed(1)}" height="${barH}" fill="${b.kind === 'baseline' ? '#9aa5b1' : '#2f6fde'}"/>`,
      `<text x="${(left + len + 6).toFixed(1)}" y="${y + 15}">${fmt(b.value)}</text>`,
    );
  });
  parts.push(
    `<text x="10" y="${h - 8}" fill="#555">grey: bare Koa baseline (same body parser, answers 200); blue: Switchboard</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

export function chartBars(
  r: RunResults,
): Array<{ label: string; value: number; kind: 'baseline' | 'gateway' }> {
  const bars: Array<{ label: string; value: number; kind: 'baseline' | 'gateway' }> = [];
  if (r.ingest) {
    bars.push({ label: 'bare Koa baseline', value: r.ingest.baseline.rps, kind: 'baseline' });
    bars.push({ label: 'gateway, SQLite (warn)', value: r.ingest.gateway.rps, kind: 'gateway' });
    if (r.ingest.gatewayInfo)
      bars.push({ label: 'gateway, SQLite (info)', value: r.ingest.gatewayInfo.rps, kind: 'gateway' });
  }
  if (r.growth) {
    bars.push({
      label: `SQLite, ${fmt(r.growth.small)} stored`,
      value: r.growth.smallSummary.rps,
      kind: 'gateway',
    });
    bars.push({
      label: `SQLite, ${fmt(r.growth.large)} stored`,
      value: r.growth.largeSummary.rps,
      kind: 'gateway',
    });
  }
  if (r.pg) {
    if (!r.ingest)
      bars.push({ label: 'bare Koa baseline (pg rounds)', value: r.pg.baseline.rps, kind: 'baseline' });
    for (const s of r.pg.ingest) bars.push({ label: s.name, value: s.rps, kind: 'gateway' });
  }
  return bars;
}

function e2eRow(e: E2eResult): Array<string | number> {
  return [
    e.label,
    e.instances,
    `${fmt(e.offeredRate)}/s × ${e.seconds} s`,
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

const E2E_HEAD = [
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

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not run' : ok ? '**met**' : '**missed**';
}

/** The markdown report. */
export function markdown(r: RunResults, svgPath: string): string {
  const cpu = cpus();
  const out: string[] = [];
  out.push(
    `# Switchboard benchmarks${r.quick ? ' (quick smoke run)' : ''}`,
    '',
    `Generated by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (bench/run.ts) on ${r.startedAt.toISOString()}; the run took ${fmt(r.seconds)} s.`,
    '',
    '## Machine',
    '',
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores; ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM`,
    `- Node ${process.version}, ${process.platform} ${process.arch}; load average at the end ${r.loadAverage.map((x) => x.toFixed(2)).join(' / ')}`,
    '- Shared and noisy (other jobs run beside the benchmark): absolute figures move between runs by tens of percent. Compare each figure with the baseline next to it, measured in the same run, not with another run.',
    '',
    '## Method',
    '',
    `- Every server runs in its own process: the gateway as \`npm start\` runs it (\`node ${[...START_NODE_OPTIONS, ''].join(' ')}bin/switchboard.js start --config FILE\`, \`LOG_LEVEL=warn\` unless stated), the bare Koa baseline (bench/baseline.ts: koa + raw-body + JSON.parse, answers 200 \`{"id":"x"}\`), and the delivery sink (bench/sink.ts). The load generator is autocannon, driven through its API from the runner process; it shares the 2 cores with the servers, equally for the gateway and the baseline.`,
    `- Bodies: signed (X-Signature, HMAC-SHA256) MTA V3 webhooks built from test/fixtures/mta/v3, mixed 60% delivery-status, 25% message-send, 10% message-reply, 5% number-opt-in; every body is unique (messageId/replyId and timestamp vary), so dedupe never short-cuts. ${16} connections.`,
    `- Rounds: ${r.quick ? '1 round per figure (smoke run: the figures are indicative only)' : '3 interleaved rounds per figure for ingest and growth (2 for PostgreSQL), each server in turn, the order flipping each round; the tables give the median and every round'}. Throughput = 2xx responses / duration; latency percentiles over every response of a round; "server CPU / req" = user+sys CPU of the server process(es) (/proc/PID/stat) per 2xx response, a figure far less sensitive to noise than req/s.`,
    '- Gateways run with `SWITCHBOARD_POLL_MS=200` (as test/helpers/gateway.ts does; the default is 1 s) so a resume is noticed quickly, and `SWITCHBOARD_SHUTDOWN_GRACE_MS=2000`. Delivery settings: `concurrency: 16`, `timeout: 10s`, `attempts: 10`, `backoff.initial: 1s`; one route sends every event to one `http` destination.',
    '- Ingest runs have the destination paused (`switchboard pause`), so each request does the full durable ingest (verify, decode, route, group-commit the event, its delivery row and its dedupe key with synchronous=FULL) and nothing else.',
    '- "p99 at half max rate" uses autocannon `overallRate` = half the gateway\'s median max throughput, for both servers. autocannon paces per second (each connection sends its share as soon as it can, then waits for the next second), so arrivals are bursty, not Poisson.',
    "- End to end: the sink process counts distinct event ids (`id` in the JSON body) and the lag from the gateway's `receivedAt` to its own receive time. Every id the gateway acked (200, not duplicate) is checked: lost = acked, never received by the sink, and not still queued in the store.",
    "- Backlog: the store is pre-filled through the store's own `ingest` (the real write path, big batches) with the destination paused, then the gateway starts on it; RSS is sampled from /proc/PID/status every 100 ms (and VmHWM), then the destination is resumed and the drain rate measured over a fixed window.",
    '- Growth: history rows (delivered events with their delivery and a live dedupe key) are written by SQL in the bench process, copying rows the real ingest wrote; then both gateways (1k and large store) take interleaved rounds. The stores grow during the rounds by what the rounds ingest.',
    '',
  );

  out.push('## Targets', '');
  const t: Array<Array<string | number>> = [];
  if (r.ingest) {
    const ratio = r.ingest.gateway.rps / r.ingest.baseline.rps;
    t.push([
      'durable ingest ≥ 0.5× bare Koa (aim 0.7×)',
      `${fmt(ratio, 2)}× (${fmt(r.ingest.gateway.rps)} vs ${fmt(r.ingest.baseline.rps)} req/s)`,
      verdict(ratio >= 0.5),
    ]);
    t.push([
      `p99 ack < 20 ms at half max rate (${fmt(r.ingest.halfRate)} req/s)`,
      `${ms(r.ingest.halfGateway.p99)} (baseline ${ms(r.ingest.halfBaseline.p99)})`,
      verdict(r.ingest.halfGateway.p99 < 20),
    ]);
  }
  if (r.e2e) {
    const e = r.e2e.main;
    const ok =
      !r.quick && e.seconds >= 60 && e.offeredRate >= 1000 && e.sustainedRate >= 1000 && e.lost === 0;
    t.push([
      'end to end ≥ 1,000 events/s sustained 60 s, 0 lost (aim 2,000)',
      `${fmt(e.sustainedRate)} delivered/s during ${e.seconds} s at ${fmt(e.offeredRate)}/s offered (${fmt(e.ackRps)} acked/s); lost ${e.lost}`,
      r.quick ? 'not assessed (quick)' : verdict(ok),
    ]);
  }
  if (r.backlog) {
    t.push([
      `RSS < 200 MB with a ${fmt(r.backlog.queued)} backlog`,
      `peak ${fmt(r.backlog.rssPeakMb)} MB (bare Koa: ${fmt(r.backlog.baselineRssMb)} MB)`,
      r.quick ? `${verdict(r.backlog.rssPeakMb < 200)} (5k only)` : verdict(r.backlog.rssPeakMb < 200),
    ]);
  }
  if (r.growth) {
    t.push([
      `growth ratio ≥ 0.8 (${fmt(r.growth.large)} vs ${fmt(r.growth.small)} stored)`,
      fmt(r.growth.ratio, 2),
      verdict(r.growth.ratio >= 0.8),
    ]);
  }
  out.push(table(['target', 'measured', 'verdict'], t), '');
  if (r.failures.length)
    out.push('**Correctness failures in this run:**', '', ...r.failures.map((f) => `- ${f}`), '');
  else
    out.push('No correctness failures: every acked event was delivered or is still queued, none twice.', '');

  if (r.notes.length) {
    out.push('Incidents (not counted in any figure):', '', ...[...new Set(r.notes)].map((n) => `- ${n}`), '');
  }
  out.push(`![throughput chart](${svgPath})`, '');

  if (r.ingest) {
    const i = r.ingest;
    out.push(
      '## 1. Ingest (SQLite, durable ack)',
      '',
      table(SUM_HEAD, [
        sumRow(i.baseline),
        sumRow(i.gateway, i.baseline),
        ...(i.gatewayInfo ? [sumRow(i.gatewayInfo, i.baseline)] : []),
      ]),
      '',
      `At half the gateway's max rate (${fmt(i.halfRate)} req/s offered to both):`,
      '',
      table(SUM_HEAD, [sumRow(i.halfBaseline), sumRow(i.halfGateway, i.halfBaseline)]),
      '',
      `Peak RSS (VmHWM): bare Koa ${fmt(i.rss.baselineMb)} MB, gateway ${fmt(i.rss.gatewayMb)} MB.`,
      '',
    );
    if (i.storeCeiling?.length) {
      out.push(
        "The SQLite store alone: the gateway's ingest (same rows and dedupe key, `synchronous=FULL` commits) called in a loop in the bench process, no HTTP, no decoding, no other thread, in the batch sizes group commit forms at 16 connections. A durable ack cannot be faster than this, whatever the HTTP side costs:",
        '',
        table(
          ['batch', 'events/s (median)', 'CPU / event', 'rounds (events/s)', '0.5× baseline'],
          i.storeCeiling.map((c) => [
            String(c.batch),
            fmt(c.eventsPerS),
            `${fmt(c.cpuUsPerEvent)} µs`,
            c.rounds.map((x) => fmt(x)).join(' / '),
            `${fmt(i.baseline.rps / 2)} req/s`,
          ]),
        ),
        '',
      );
    }
    if (i.wide) {
      out.push(
        `With ${i.wide.connections} connections instead of 16 (a burst from many senders; more requests share each group commit), same rounds:`,
        '',
        table(SUM_HEAD, [sumRow(i.wide.baseline), sumRow(i.wide.gateway, i.wide.baseline)]),
        '',
      );
    }
    if (i.gatewayInfo) {
      out.push(
        `Logging at the default \`info\` level (one JSON line per webhook): ${fmt(i.gatewayInfo.rps)} req/s, ${fmt(i.gatewayInfo.rps / i.gateway.rps, 2)}× the \`warn\` figure; ${fmt(i.gatewayInfo.cpuUs)} vs ${fmt(i.gateway.cpuUs)} µs CPU per request.`,
        '',
      );
    }
  }
  if (r.e2e) {
    out.push(
      '## 2. End to end (SQLite → http destination → sink)',
      '',
      table(E2E_HEAD, [e2eRow(r.e2e.main)]),
      '',
    );
    out.push(
      `Delivery lag p99 ${ms(r.e2e.main.lagP99)}; the last delivery arrived ${fmt(r.e2e.main.drainS, 1)} s after the load stopped; gateway peak RSS ${fmt(r.e2e.main.rssMb)} MB. The offered rate is the reference: delivered/s during load should equal it when the gateway keeps up.`,
      '',
    );
  }
  if (r.backlog) {
    const b = r.backlog;
    out.push(
      '## 3. Backlog',
      '',
      table(
        [
          'queued',
          'fill (store.ingest)',
          'RSS at start',
          'RSS holding',
          'peak RSS (incl. drain)',
          'bare Koa peak RSS',
          'drained',
          'drain rate',
        ],
        [
          [
            fmt(b.queued),
            `${fmt(b.fillS, 1)} s`,
            `${fmt(b.rssIdleMb)} MB`,
            `${fmt(b.rssHoldMb)} MB`,
            `${fmt(b.rssPeakMb)} MB`,
            `${fmt(b.baselineRssMb)} MB`,
            `${fmt(b.drained)} in ${fmt(b.drainWindowS, 1)} s`,
            `${fmt(b.drainRate)}/s`,
          ],
        ],
      ),
      '',
      `At that rate the whole backlog drains in about ${fmt(b.queued / Math.max(1, b.drainRate))} s.`,
      '',
    );
  }
  if (r.growth) {
    const g = r.growth;
    out.push(
      '## 4. Growth',
      '',
      table(SUM_HEAD, [sumRow(g.smallSummary), sumRow(g.largeSummary, g.smallSummary)]),
      '',
      `Ratio ${fmt(g.ratio, 2)} (the small store is the baseline here). History pre-fill took ${fmt(g.prefillS)} s.`,
      '',
    );
  }
  if (r.pg) {
    out.push(
      '## 5. PostgreSQL',
      '',
      'Ingest (destination paused; several instances share one schema; load split evenly across them):',
      '',
      table(SUM_HEAD, [sumRow(r.pg.baseline), ...r.pg.ingest.map((s) => sumRow(s, r.pg!.baseline))]),
      '',
      'End to end:',
      '',
      table(E2E_HEAD, r.pg.e2e.map(e2eRow)),
      '',
    );
  }
  const profiles = [r.ingest?.profile, r.e2e?.profile].filter((p): p is ProfileSummary => p !== undefined);
  if (profiles.length) {
    out.push(
      '## Profiles (gateway main thread, `node --cpu-prof`, samples inside the load window only)',
      '',
      'Self time = time in the function itself (for better-sqlite3, the native statement/commit work, fsync included, is charged to the JS function that called it).',
      '',
    );
    for (const p of profiles) out.push(profileSection(p), '');
  }
  return `${out.join('\n')}\n`;
}
