import type { Config } from '../../config/types.ts';
import type { Store } from '../../store/types.ts';
import { type Html, html } from '../html.ts';
import { activityChart } from './chart.ts';
import { age } from './format.ts';

/** What the overview reads: the config in force and the store. */
export interface OverviewDeps {
  store: Store;
  config(): Config;
}

const COUNT_CAP = 500;

/**
 * The overview: destinations (a table the page's script replaces with `GET /api/destinations` when the admin
 * API has it, so this server-rendered one is the fallback from queue stats and pauses), the pause form, and
 * counts of quarantined and rejected payloads with links.
 */
export async function overviewPage(deps: OverviewDeps, now: number, hours = 3): Promise<Html> {
  const config = deps.config();
  // Up to 6 hours by the minute; longer spans by 5 minutes, so the chart stays under 300 points.
  const bucketMs = hours <= 6 ? 60_000 : 300_000;
  const until = Math.ceil(now / bucketMs) * bucketMs;
  const [stats, paused, rejected, unrecognized, activity] = await Promise.all([
    deps.store.queueStats({ now: new Date(now) }),
    deps.store.pausedDestinations(),
    deps.store.listRejected({ limit: COUNT_CAP }),
    deps.store.listEvents({ filter: { type: 'unrecognized' }, limit: COUNT_CAP }),
    deps.store.activity({ since: new Date(until - hours * 3_600_000), until: new Date(until), bucketMs }),
  ]);
  const count = (destination: string, states: string[]) =>
    stats.depth
      .filter((d) => d.destination === destination && states.includes(d.state))
      .reduce((n, d) => n + d.count, 0);
  const pausedSet = new Set(paused);
  const rows = [...config.destinations.values()].map((d) => {
    const oldest = stats.oldestPending.find((o) => o.destination === d.name);
    return html`<tr>
<td>${d.name}</td><td>${d.type}</td>
<td><span class="state ${pausedSet.has(d.name) ? 'paused' : 'active'}">${pausedSet.has(d.name) ? 'paused' : 'active'}</span></td>
<td class="num">${count(d.name, ['pending'])}</td><td class="num">${count(d.name, ['sending'])}</td>
<td>${oldest ? age(now - oldest.createdAt.getTime()) : '—'}</td>
<td class="num">—</td><td class="num">${count(d.name, ['failed', 'dead'])}</td><td>—</td>
<td>${actionButton(d.name, pausedSet.has(d.name))}</td>
</tr>`;
  });
  const shown = (n: number) => (n >= COUNT_CAP ? `${COUNT_CAP}+` : String(n));
  const targets = [
    ...[...config.destinations.keys()].map((n) => ({
      value: `destinations/${n}`,
      label: `destination ${n}`,
    })),
    ...config.router.routeNames.map((n) => ({ value: `routes/${n}`, label: `route ${n}` })),
  ];
  return html`
<section>
<h2>Activity, last ${hours} hours <span class="spans">${[1, 3, 12, 24].map((h) => (h === hours ? html`<strong>${h}h</strong> ` : html`<a href="/ui/?hours=${h}">${h}h</a> `))}</span></h2>
${activityChart(activity, bucketMs)}
</section>
<section>
<h2>Destinations</h2>
<table id="destinations" data-api="/api/destinations">
<thead><tr><th>Destination</th><th>Type</th><th>State</th><th>Pending</th><th>In flight</th><th>Oldest pending</th><th>Delivered 1h</th><th>Failed</th><th>Last error</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="hint" id="destinations-note">Failed counts every failed or dead delivery still stored; per-hour figures and last errors appear when the admin API offers <code>/api/destinations</code>.</p>
</section>
<section>
<h2>Pause a destination or route</h2>
<form id="pause-form" class="inline">
<label>Target <select name="target">${targets.map((t) => html`<option value="${t.value}">${t.label}</option>`)}</select></label>
<label>Comment <input name="comment" maxlength="200" placeholder="why, for the others"></label>
<label>Expires after <select name="expires"><option value="">never (resume by hand)</option><option value="15m">15 minutes</option><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="24h">24 hours</option></select></label>
<button type="submit">Pause</button>
</form>
<p class="hint">Paused deliveries wait in the queue; nothing is dropped. Held routes: ${paused.filter((p) => p.startsWith('route:')).map((p) => html`<span class="state paused">${p.slice(6)}</span> ${actionButton(p, true)} `)}${paused.some((p) => p.startsWith('route:')) ? '' : 'none'}.</p>
</section>
<section>
<h2>Needs a look</h2>
<ul class="counts">
<li><a href="/ui/events?type=unrecognized">${shown(unrecognized.items.length)} quarantined (unrecognized) events</a>
${unrecognized.items.length > 0 ? html`<button type="button" data-api="POST /api/redecode" data-confirm="Decode every quarantined event again with the current decoders?">Redecode quarantined</button>` : ''}</li>
<li><a href="/ui/rejected">${shown(rejected.items.length)} rejected payloads</a></li>
<li><a href="/ui/events?unrouted=true">Unrouted events</a> · <a href="/ui/retry">Retry failed deliveries…</a></li>
</ul>
</section>`;
}

/** A pause or resume button for a destination, or for a route held as `route:<name>`. */
function actionButton(target: string, paused: boolean): Html {
  const path = target.startsWith('route:')
    ? `/api/routes/${encodeURIComponent(target.slice(6))}`
    : `/api/destinations/${encodeURIComponent(target)}`;
  return paused ? html`<button type="button" data-api="POST ${path}/resume">Resume</button>` : html``;
}
