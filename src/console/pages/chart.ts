import type { ActivityBucket } from '../../store/types.ts';
import { type Html, html, raw } from '../html.ts';

const W = 1100;
const H = 170;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

const SERIES = [
  { key: 'received', label: 'received', cls: 'received' },
  { key: 'delivered', label: 'delivered', cls: 'delivered' },
  { key: 'failed', label: 'failed attempts', cls: 'failed' },
] as const;

/**
 * Events received and attempts delivered / failed per bucket as an inline SVG line chart, drawn on the server:
 * no chart library, no script, and it prints. Colors come from the stylesheet (the page's CSP allows no
 * inline styles); each line has a legend with its total, and the SVG has a text description for screen readers.
 */
export function activityChart(buckets: ActivityBucket[], bucketMs: number): Html {
  if (buckets.length === 0) return html``;
  const max = Math.max(1, ...buckets.flatMap((b) => [b.received, b.delivered, b.failed]));
  const top = niceCeiling(max);
  const x = (i: number) => PAD.left + (i * (W - PAD.left - PAD.right)) / Math.max(1, buckets.length - 1);
  const y = (v: number) => H - PAD.bottom - (v * (H - PAD.top - PAD.bottom)) / top;
  const lines = SERIES.map(
    (s) =>
      html`<polyline class="line ${s.cls}" fill="none" points="${buckets
        .map((b, i) => `${x(i).toFixed(1)},${y(b[s.key]).toFixed(1)}`)
        .join(' ')}"/>`,
  );
  const ticks = [0, Math.floor((buckets.length - 1) / 2), buckets.length - 1].map(
    (i) =>
      html`<text x="${x(i).toFixed(1)}" y="${H - 6}" text-anchor="${i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle'}">${buckets[i].at.slice(11, 16)} UTC</text>`,
  );
  const totals = SERIES.map((s) => ({ ...s, total: buckets.reduce((n, b) => n + b[s.key], 0) }));
  const per = bucketMs === 60_000 ? 'minute' : `${bucketMs / 60_000} minutes`;
  // The totals are over the whole span; only the points are per bucket (the legend once read "2 received per
  // minute" for two events in three hours).
  const hours = Math.round((buckets.length * bucketMs) / 3_600_000);
  const span = hours === 1 ? 'the last hour' : `the last ${hours} hours`;
  const description = `In ${span}: ${totals.map((t) => `${t.total} ${t.label}`).join(', ')}; one point per ${per}.`;
  return html`<figure class="chart">
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${description}">
<line class="axis" x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}"/>
<line class="grid" x1="${PAD.left}" y1="${y(top)}" x2="${W - PAD.right}" y2="${y(top)}"/>
<text x="${PAD.left - 6}" y="${y(top) + 4}" text-anchor="end">${top}</text>
<text x="${PAD.left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>
${lines}${ticks}
</svg>
<figcaption>${totals.map((t) => html`<span class="key ${t.cls}">${raw('&#9644;')} ${t.total} ${t.label}</span> `)}<span class="muted">in ${span}; one point per ${per}</span></figcaption>
</figure>`;
}

/** 1, 2, 5 × 10ⁿ at or above v, so the top gridline reads as a round number. */
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
