import {
  checkedEventFilter,
  EVENT_FILTERS,
  type EventQuery as EventFilterQuery,
  SCAN_LIMIT,
} from '../../admin/event-query.ts';
import { BadParam, BadParams, parseCursor } from '../../admin/params.ts';
import { checkParamNames } from '../../admin/vocabulary.ts';
import { type GatewayEvent, UNRECOGNIZED } from '../../event.ts';
import type { MtaEvent } from '../../sources/mta/event.ts';
import type { EventFilter, Page, Store } from '../../store/types.ts';
import { type Html, html, query } from '../html.ts';
import { maskPhone, maskText } from '../mask.ts';
import { when } from './format.ts';

/** The list's query parameters, as typed in its filter form (or a link someone edited by hand). */
const EVENT_QUERY = [...EVENT_FILTERS, 'cursor'] as const;
export type EventQuery = EventFilterQuery & { cursor?: string };

const PAGE = 50;

/**
 * The events list: the filter form, one page newest first (keyset: `cursor` is the last id shown), a next link.
 * Names are checked with the admin API's vocabulary (admin/vocabulary.ts): a typo answers `status` 400 with the
 * nearest name on the page, the form still filled, instead of an empty list.
 */
export async function eventsPage(
  store: Store,
  q: EventQuery,
  now: number,
  names: { sources: string[]; destinations: string[]; types?: readonly string[] | 'open' },
): Promise<{ body: Html; status: number }> {
  let filter: EventFilter;
  let problem: string | undefined;
  try {
    // A misspelled name in a hand-edited link (?sorce=mta) would list every event as if it filtered.
    checkParamNames({ query: q }, { query: EVENT_QUERY });
    const vocabulary = { destinations: names.destinations, routes: [], eventTypes: names.types ?? 'open' };
    filter = await checkedEventFilter(q, now, { vocabulary, sources: names.sources }, store);
    parseCursor(q.cursor);
  } catch (err) {
    if (err instanceof BadParams) problem = err.message;
    else if (err instanceof BadParam) problem = `${err.param}: ${err.message}`;
    else throw err;
    filter = {};
  }
  const page: Page<GatewayEvent> = problem
    ? { items: [], next: null }
    : await store.listEvents({ filter, limit: PAGE, cursor: q.cursor || undefined });
  const keep = { ...q, cursor: undefined };
  const body = html`
${filterForm(q, names)}
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<table class="events">
<thead><tr><th>Received</th><th>Source</th><th>Type</th><th>Status</th><th>Phone</th><th>Text</th><th>Tags</th></tr></thead>
<tbody>${page.items.length === 0 ? html`<tr><td colspan="7" class="empty">${problem ? 'Fix the filter above to list events.' : 'No events match.'}</td></tr>` : page.items.map(row)}</tbody>
</table>
${
  page.partial
    ? html`<p class="hint" id="partial">Phone and tag filters look through ${SCAN_LIMIT.toLocaleString('en-US')} events a page (newest first); ${page.items.length === 0 ? 'none of these matched' : 'these are the matches among them'}. “Older →” searches the next ${SCAN_LIMIT.toLocaleString('en-US')}; a time range narrows the search.</p>`
    : ''
}
<nav class="pager">
${q.cursor ? html`<a href="/ui/events${query(keep)}">Newest</a>` : ''}
${page.next ? html`<a href="/ui/events${query({ ...keep, cursor: page.next })}" rel="next">Older →</a>` : html`<span class="muted">No older events.</span>`}
</nav>`;
  return { body, status: problem ? 400 : 200 };
}

function row(event: GatewayEvent): Html {
  // MTA's declared fields, shown when an event has them; other sources' events leave those cells empty.
  const e = event as MtaEvent;
  const tags = Object.entries(e.tags ?? {}).map(([k, v]) => html`<span class="tag">${k}=${v}</span> `);
  return html`<tr>
<td><a href="/ui/events/${encodeURIComponent(e.id)}">${when(e.receivedAt)}</a></td>
<td>${e.source}</td><td>${e.type}</td>
<td>${e.status ? html`<span class="status${e.status.failed ? ' failed' : ''}">${e.status.name}</span>` : ''}</td>
<td class="mono">${maskPhone(e.phone)}</td><td class="muted">${maskText(e.text)}</td><td>${tags}</td>
</tr>`;
}

function filterForm(
  q: EventQuery,
  {
    sources,
    destinations,
    types: declared,
  }: { sources: string[]; destinations: string[]; types?: readonly string[] | 'open' },
): Html {
  // The types the configured sources declare; a source whose types come from the provider lets any be typed.
  const open = declared === 'open';
  const types = [...(declared === undefined || open ? [] : declared), UNRECOGNIZED];
  const opt = (value: string, label: string, current: string | undefined) =>
    html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  // A name typed into the URL that is not among the choices stays selected, so the form shows what was asked.
  const plus = (list: readonly string[], current: string | undefined) =>
    current && !list.includes(current) ? [...list, current] : list;
  return html`<form class="filters" method="get" action="/ui/events">
<label>Source <select name="source">${opt('', 'any', q.source)}${plus(sources, q.source).map((s) => opt(s, s, q.source))}</select></label>
${
  open
    ? html`<label>Type <input name="type" value="${q.type ?? ''}" placeholder="any, e.g. ${types[0]}" size="18"></label>`
    : html`<label>Type <select name="type">${opt('', 'any', q.type)}${plus(types, q.type).map((t) => opt(t, t, q.type))}</select></label>`
}
<label>Destination <select name="destination">${opt('', 'any', q.destination)}${plus(destinations, q.destination).map((d) => opt(d, d, q.destination))}</select></label>
<label>Status <input name="status" value="${q.status ?? ''}" placeholder="DELIVERY_FAILED" size="14"></label>
<label>Phone <input name="phone" value="${q.phone ?? ''}" placeholder="+1555… or 4567" size="12"></label>
<label>Tag <input name="tag" value="${q.tag ?? ''}" placeholder="campaign=spring" size="14"></label>
<label>Since <input name="since" value="${q.since ?? ''}" placeholder="1h or ISO date" size="10"></label>
<label>Until <input name="until" value="${q.until ?? ''}" placeholder="ISO date" size="10"></label>
<label>Routed <select name="unrouted">${opt('', 'any', q.unrouted)}${opt('false', 'routed', q.unrouted)}${opt('true', 'unrouted', q.unrouted)}</select></label>
<button type="submit">Filter</button> <a href="/ui/events">Clear</a>
</form>`;
}
