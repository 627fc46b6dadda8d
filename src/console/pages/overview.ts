import { type DestinationState, destinationStates } from '../../admin/destinations.ts';
import type { Config } from '../../config/types.ts';
import type { Store } from '../../store/types.ts';
import { type Html, html } from '../html.ts';
import { activityChart } from './chart.ts';
import { age, when } from './format.ts';

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
  const [states, rejected, unrecognized, activity] = await Promise.all([
    // The same computation as GET /api/destinations, whose answer the page's script shows instead: with
    // JavaScript off the counts must not differ (this table once counted failures the queue stats never hold).
    destinationStates({
      store: deps.store,
      configured: [...config.destinations.values()].map((d) => ({ name: d.name, type: d.type })),
      now,
    }),
    deps.store.listRejected({ limit: COUNT_CAP }),
    deps.store.listEvents({ filter: { type: 'unrecognized' }, limit: COUNT_CAP }),
    deps.store.activity({ since: new Date(until - hours * 3_600_000), until: new Date(until), bucketMs }),
  ]);
  const rows = states.destinations.map((d) => destinationRow(d, now));
  const heldRoutes = states.pausedRoutes.map((p) => p.name);
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
<thead><tr><th>Destination</th><th>Type</th><th>State</th><th>Pending</th><th>In flight</th><th>Dead</th><th>Oldest pending</th><th>Delivered 1h</th><th>Failed 1h</th><th>Last error</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="hint" id="destinations-note">Delivered and failed count attempts in the last hour; dead counts deliveries whose retries ran out (<a href="/ui/retry">retry them</a>). An open circuit breaker or a throttle shows only with JavaScript on.</p>
</section>
<section>
<h2>Pause a destination or route</h2>
<form id="pause-form" class="inline">
<label>Target <select name="target">${targets.map((t) => html`<option value="${t.value}">${t.label}</option>`)}</select></label>
<label>Comment <input name="comment" maxlength="200" placeholder="why, for the others"></label>
<label>Expires after <select name="expires"><option value="">never (resume by hand)</option><option value="15m">15 minutes</option><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="24h">24 hours</option></select></label>
<button type="submit">Pause</button>
</form>
<p class="hint">Paused deliveries wait in the queue; nothing is dropped. Held routes: ${heldRoutes.map((p) => html`<span class="state paused">${p.slice(6)}</span> ${actionButton(p, true)} `)}${heldRoutes.length > 0 ? '' : 'none'}.</p>
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

/** One destination's row, cell for cell as the page's script draws it from GET /api/destinations. */
function destinationRow(d: DestinationState, now: number): Html {
  const ago = (iso: string | undefined) => (iso ? age(now - Date.parse(iso)) : '—');
  const pause = d.pause
    ? ` ${[d.pause.comment ? `“${d.pause.comment}”` : '', `by ${d.pause.by}`, d.pause.expiresAt ? `until ${when(d.pause.expiresAt)}` : 'until resumed'].filter(Boolean).join(' ')}`
    : '';
  const breaker = d.breaker?.openUntil ? ` until ${when(d.breaker.openUntil)}` : '';
  const throttle = d.state === 'throttled' && d.throttle ? ` ${throttleNote(d.throttle)}` : '';
  return html`<tr>
<td>${d.name}</td><td>${d.type}</td>
<td><span class="state ${d.state}">${d.state}</span>${pause}${breaker}${throttle}</td>
<td class="num">${d.pending}</td><td class="num">${d.inFlight}</td><td class="num">${d.dead}</td>
<td>${ago(d.oldestPendingAt)}</td>
<td class="num">${d.delivered1h}</td><td class="num">${d.failed1h}</td>
<td>${d.lastError ? `${ago(d.lastError.at)} ago: ${d.lastError.reason}` : '—'}</td>
<td>${d.state === 'paused' ? actionButton(d.name, true) : ''}</td>
</tr>`;
}

/** How long a receiver's throttle holds, or the pace it allows while recovering (console.js throttleNote). */
function throttleNote(t: NonNullable<DestinationState['throttle']>): string {
  return t.throttledUntil ? `until ${when(t.throttledUntil)}` : `at ${t.ratePerSecond}/s`;
}

/** A pause or resume button for a destination, or for a route held as `route:<name>`. */
function actionButton(target: string, paused: boolean): Html {
  const path = target.startsWith('route:')
    ? `/api/routes/${encodeURIComponent(target.slice(6))}`
    : `/api/destinations/${encodeURIComponent(target)}`;
  return paused ? html`<button type="button" data-api="POST ${path}/resume">Resume</button>` : html``;
}
