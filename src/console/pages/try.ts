import type { DryRun } from '../../cli/dry-run.ts';
import type { SourceConfig } from '../../config/types.ts';
import { samplesOf, summaryOf } from '../../sources/builtin.ts';
import { type Html, html } from '../html.ts';

/** What was typed into the form, kept when the page answers. */
export interface TryInput {
  source?: string;
  event?: string;
  payload?: string;
}

/**
 * "Try a route": the `route` command in a page. The form posts a payload; the answer is the normalized event,
 * each route's verdict with its reason, and the destinations it would reach. Nothing is stored or sent.
 */
export function tryPage(sources: SourceConfig[], csrf: string, input: TryInput, result?: DryRun): Html {
  const chosen = sources.find((s) => s.name === input.source) ?? sources[0];
  const label = (s: SourceConfig) => summaryOf(s);
  // A sample JSON cannot write (a plugin's BigInt, a cycle) is left out, not the page.
  const samples = Object.entries(chosen ? samplesOf(chosen) : {}).flatMap(([type, body]) => {
    try {
      const text = JSON.stringify(body, null, 2);
      return typeof text === 'string' ? [{ type, body: text }] : [];
    } catch {
      return [];
    }
  });
  return html`
<form method="post" action="/ui/try" class="try">
<input type="hidden" name="_csrf" value="${csrf}">
<div class="inline">
<label>Source <select name="source">${sources.map((s) => html`<option value="${s.name}"${s.name === input.source ? html` selected` : ''}>${s.name} (${label(s)})</option>`)}</select></label>
<label>Event in the URL <input name="event" value="${input.event ?? ''}" placeholder="optional, e.g. message-reply" size="18"></label>
<label>Sample <select id="sample" aria-label="Fill in a sample payload"><option value="">pick a sample…</option>${samples.map((s) => html`<option value="${s.type}" data-body="${s.body}">${s.type}${chosen ? ` (${label(chosen)})` : ''}</option>`)}</select></label>
</div>
<label class="block">Payload (JSON) <textarea name="payload" rows="12" spellcheck="false" required>${input.payload ?? ''}</textarea></label>
<button type="submit">Route it</button> <span class="hint">Nothing is stored or sent.</span>
</form>
${result ? outcome(result) : ''}`;
}

function outcome(result: DryRun): Html {
  if (!result.ok) {
    const { error, details } = result.failure;
    return html`<section class="result" role="alert"><h2>Undecodable payload</h2><p class="error">${error}</p>
<ul>${details.map((d) => html`<li><code>${d.path || '(body)'}</code>: ${d.message}</li>`)}</ul></section>`;
  }
  const { event, decision } = result;
  const destinations = decision.destinations.map((d) => d.destination);
  return html`<section class="result">
<h2>Destinations</h2>
<p id="would-reach">${destinations.length > 0 ? destinations.join(', ') : 'none (unrouted: stored and counted, not delivered)'}</p>
<h2>Routes</h2>
<table class="routes"><thead><tr><th></th><th>Route</th><th>Why</th></tr></thead><tbody>${decision.routes.map(
    (r) =>
      html`<tr class="${r.matched ? 'matched' : 'unmatched'}"><td>${r.matched ? '✔' : '✘'}</td><td>${r.name}</td><td>${r.reason}</td></tr>`,
  )}</tbody></table>
<h2>Normalized event</h2>
<pre class="json">${JSON.stringify({ ...event, payload: undefined }, null, 2)}</pre>
</section>`;
}
