import type { MtaEvent } from '../../sources/mta/event.ts';
import type { AttemptRow, EventDetail } from '../../store/types.ts';
import { type Html, html } from '../html.ts';
import { age, when } from './format.ts';

type Delivery = EventDetail['deliveries'][number];

/**
 * One event in full: its normalized fields (phone and text unmasked), the payload as received (pretty, with a
 * copy button), every route's verdict with its reason, and each delivery with its attempts on a timeline.
 */
export function eventPage(detail: EventDetail): Html {
  const { routes, deliveries } = detail;
  // MTA's declared fields, shown when the event has them (absent fields are left out of the list).
  const event = detail.event as MtaEvent;
  const { payload, ...normalized } = event;
  const fields: Array<[string, unknown]> = [
    ['id', event.id],
    ['source', event.source],
    ['type', event.type],
    ['version', event.version],
    ['received', when(event.receivedAt)],
    ['occurred', event.occurredAt ? when(event.occurredAt) : undefined],
    ['phone', event.phone ?? event.phoneNational],
    [
      'status',
      event.status
        ? `${event.status.name} (${event.status.code})${event.status.failed ? ', failed' : ''}`
        : undefined,
    ],
    ['text', event.text],
    ['sender', event.senderName],
    ['message id', event.messageId],
    ['external id', event.externalId],
    ['opt-in', event.optInType],
    [
      'tags',
      Object.entries(event.tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || undefined,
    ],
  ];
  return html`
<section>
<h2>Event</h2>
<dl class="fields">${fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>
<details><summary>Normalized event (JSON)</summary><pre class="json">${JSON.stringify(normalized, null, 2)}</pre></details>
</section>
<section>
<h2>Payload as received <button type="button" data-copy="payload">Copy payload</button></h2>
<pre class="json" id="payload">${JSON.stringify(payload, null, 2)}</pre>
</section>
<section>
<h2>Routes</h2>
${
  routes.length === 0
    ? html`<p>No routes were configured when this event arrived.</p>`
    : html`<table class="routes"><thead><tr><th></th><th>Route</th><th>Why</th></tr></thead><tbody>${routes.map(
        (r) =>
          html`<tr class="${r.matched ? 'matched' : 'unmatched'}"><td>${r.matched ? '✔' : '✘'}</td><td>${r.name}</td><td>${r.reason}</td></tr>`,
      )}</tbody></table>`
}
${detail.unrouted ? html`<p class="hint">Unrouted: stored and counted, not delivered.</p>` : ''}
</section>
<section>
<h2>Deliveries</h2>
${deliveries.length === 0 ? html`<p>None.</p>` : deliveries.map(deliveryCard)}
</section>`;
}

function deliveryCard(d: Delivery): Html {
  const replayable = d.state === 'failed' || d.state === 'dead';
  return html`<article class="delivery" data-delivery="${d.id}">
<header><strong>${d.destination}</strong> <span class="muted">via route ${d.route}</span>
<span class="state ${d.state}" data-state="${d.state}">${d.state}</span>
${replayable ? html`<button type="button" data-api="POST /api/deliveries/${encodeURIComponent(d.id)}/retry">Retry</button>` : ''}</header>
<p class="muted">${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.nextAt && d.state === 'pending' ? html` · next at ${when(d.nextAt)}` : ''}${d.lastError ? html` · last error: <span class="error-text">${d.lastError}</span>` : ''}</p>
${timeline(d.attemptLog)}
</article>`;
}

/** Attempts in order on a line: offset from the first, duration (bar width on a log scale), outcome, why. */
function timeline(attempts: AttemptRow[]): Html {
  if (attempts.length === 0) return html`<p class="muted">No attempts yet.</p>`;
  const first = Date.parse(attempts[0].startedAt);
  return html`<ol class="timeline">${attempts.map((a) => {
    // Ten widths by classes (the page's CSP allows no inline styles): 1 ms → 1, 10 s → 10.
    const width = Math.min(10, Math.max(1, Math.round(Math.log10(1 + a.durationMs) * 2.5)));
    return html`<li class="attempt ${a.outcome}">
<span class="when" title="${a.startedAt}">#${a.number} · ${when(a.startedAt)}${a.number > 1 || Date.parse(a.startedAt) > first ? ` (+${age(Date.parse(a.startedAt) - first)})` : ''}</span>
<span class="bar w${width}"></span>
<span class="duration">${a.durationMs} ms</span>
<span class="outcome">${a.outcome}</span>
${a.statusCode !== undefined && a.statusCode !== null ? html`<span class="code">HTTP ${a.statusCode}</span>` : ''}
${a.reason ? html`<span class="reason">${a.reason}</span>` : ''}
</li>`;
  })}</ol>`;
}
