import { BadParam, deliveryFilter } from '../../admin/params.ts';
import { checkDestination } from '../../admin/vocabulary.ts';
import type { DeliveryFilter, RejectedPayload, Store } from '../../store/types.ts';
import { type Html, html } from '../html.ts';
import { when } from './format.ts';

/** How far the retry page counts before it says "more than". */
const COUNT_LIMIT = 10_000;

async function countDeliveries(store: Store, filter: DeliveryFilter): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listDeliveries({ filter, limit: 500, cursor });
    n += page.items.length;
    cursor = page.next ?? undefined;
  } while (cursor && n < COUNT_LIMIT);
  return n;
}

/**
 * Retry a filtered set: the filter form, how many failed or dead deliveries it matches, and one button that
 * asks for confirmation and posts the same filter to `POST /api/deliveries/retry`.
 */
export async function retryPage(
  store: Store,
  q: Record<string, string | undefined>,
  now: number,
  destinations: string[],
): Promise<{ body: Html; status: number }> {
  let filter: DeliveryFilter;
  try {
    filter = deliveryFilter({ ...q, state: q.state || 'failed,dead' }, now);
    // As POST /api/deliveries/retry checks it: a misspelt name would count 0 and look like nothing to retry.
    await checkDestination(filter.destination, { destinations, routes: [], eventTypes: 'open' }, store);
  } catch (err) {
    if (!(err instanceof BadParam)) throw err;
    return {
      body: html`${retryForm(q)}<p class="error" role="alert">${err.param}: ${err.message}</p>`,
      status: 400,
    };
  }
  const n = await countDeliveries(store, filter);
  const shown = n >= COUNT_LIMIT ? `${COUNT_LIMIT}+` : String(n);
  const body = JSON.stringify({
    state: q.state || undefined,
    destination: q.destination || undefined,
    since: q.since || undefined,
  });
  return {
    status: 200,
    body: html`${retryForm(q)}
<p id="retry-count"><strong>${shown}</strong> deliver${n === 1 ? 'y matches' : 'ies match'}.</p>
${n > 0 ? html`<button type="button" data-api="POST /api/deliveries/retry" data-body="${body}" data-confirm="Put ${shown} deliver${n === 1 ? 'y' : 'ies'} back in the queue now?">Retry ${shown} deliver${n === 1 ? 'y' : 'ies'}</button>` : ''}`,
  };
}

function retryForm(q: Record<string, string | undefined>): Html {
  return html`<form class="filters" method="get" action="/ui/retry">
<label>Destination <input name="destination" value="${q.destination ?? ''}" size="14"></label>
<label>State <select name="state"><option value="">failed or dead</option><option value="failed"${q.state === 'failed' ? html` selected` : ''}>failed</option><option value="dead"${q.state === 'dead' ? html` selected` : ''}>dead</option></select></label>
<label>Updated since <input name="since" value="${q.since ?? ''}" placeholder="1h or ISO date" size="10"></label>
<button type="submit">Count</button>
</form>`;
}

/** Rejected payloads: when, source, why (never the body in the list), with a resubmit button each. */
export function rejectedPage(items: RejectedPayload[]): Html {
  return html`<table><thead><tr><th>Received</th><th>Source</th><th>Why it did not decode</th><th></th></tr></thead>
<tbody>${
    items.length === 0
      ? html`<tr><td colspan="4" class="empty">None.</td></tr>`
      : items.map(
          (r) =>
            html`<tr><td>${when(r.receivedAt)}</td><td>${r.source}${r.urlEvent ? ` / ${r.urlEvent}` : ''}</td>
<td>${r.errors.map((e) => html`<div><code>${e.path || '(body)'}</code>: ${e.message}</div>`)}</td>
<td><button type="button" data-api="POST /api/rejected/${encodeURIComponent(r.id)}/resubmit">Resubmit</button></td></tr>`,
        )
  }</tbody></table>`;
}
