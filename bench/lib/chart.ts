import type { RunResults } from './report.ts';
import { fmt } from './stats.ts';

/** One bar: whose figure it is decides its colour. */
export interface Bar {
  label: string;
  value: number;
  kind: 'baseline' | 'gateway' | 'peer' | 'peer-not-durable';
}

const COLOURS: Record<Bar['kind'], string> = {
  baseline: '#9aa5b1',
  gateway: '#2f6fde',
  peer: '#e07b24',
  'peer-not-durable': '#f3c08f',
};

/** A horizontal bar chart of throughput, plain SVG text. */
export function chart(bars: Bar[]): string {
  const w = 800;
  const left = 300;
  const barH = 22;
  const gap = 8;
  const top = 34;
  const h = top + bars.length * (barH + gap) + 24;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Ingest throughput, requests/s (median of rounds, same run; 16 connections unless stated)</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const len = Math.max(1, ((w - left - 90) * b.value) / max);
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${len.toFixed(1)}" height="${barH}" fill="${COLOURS[b.kind]}"/>`,
      `<text x="${(left + len + 6).toFixed(1)}" y="${y + 15}">${fmt(b.value)}</text>`,
    );
  });
  parts.push(
    `<text x="10" y="${h - 8}" fill="#555">grey: bare Koa (same body parser, answers 200); blue: Switchboard; orange: Koa + BullMQ (pale: not durable)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

/** The bars of a run: ingest at 16 and 64 connections (with the peer), growth, PostgreSQL. */
export function chartBars(r: RunResults): Bar[] {
  const bars: Bar[] = [];
  const i = r.ingest;
  if (i) {
    bars.push({ label: 'bare Koa baseline', value: i.baseline.rps, kind: 'baseline' });
    bars.push({ label: 'gateway, SQLite (warn)', value: i.gateway.rps, kind: 'gateway' });
    if (i.gatewayInfo)
      bars.push({ label: 'gateway, SQLite (info)', value: i.gatewayInfo.rps, kind: 'gateway' });
    if (i.peer) {
      bars.push({ label: 'Koa + BullMQ, Redis AOF always', value: i.peer.durable.rps, kind: 'peer' });
      bars.push({
        label: 'Koa + BullMQ, Redis defaults (not durable)',
        value: i.peer.defaults.rps,
        kind: 'peer-not-durable',
      });
    }
    if (i.wide) {
      const c = i.wide.connections;
      bars.push({ label: `bare Koa, ${c} connections`, value: i.wide.baseline.rps, kind: 'baseline' });
      bars.push({ label: `gateway, ${c} connections`, value: i.wide.gateway.rps, kind: 'gateway' });
      if (i.peer) {
        bars.push({
          label: `Koa + BullMQ AOF, ${c} connections`,
          value: i.peer.wideDurable.rps,
          kind: 'peer',
        });
        bars.push({
          label: `Koa + BullMQ not durable, ${c} conns`,
          value: i.peer.wideDefaults.rps,
          kind: 'peer-not-durable',
        });
      }
    }
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
