// The console's only script: no framework, no build step. Buttons with data-api call the admin API with the
// session cookie and the page's CSRF token (X-CSRF-Token); everything else on the page is server-rendered.
'use strict';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

function flash(text, isError) {
  const el = document.getElementById('flash');
  if (!el) return;
  el.textContent = text;
  el.className = isError ? 'error' : 'ok';
  el.hidden = false;
}

async function callApi(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  let answer = {};
  try {
    answer = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  return { ok: res.ok, status: res.status, answer };
}

function describe(answer) {
  if (typeof answer.retried === 'number') return `${answer.retried} deliver${answer.retried === 1 ? 'y' : 'ies'} back in the queue`;
  if (typeof answer.paused === 'boolean') return answer.paused ? `${answer.destination ?? answer.route} paused` : `${answer.destination ?? answer.route} resumed`;
  return 'done';
}

/** Runs an action, then reloads so the page shows the new state; the result survives the reload. */
async function act(method, path, body, button) {
  if (button) button.disabled = true;
  try {
    const { ok, status, answer } = await callApi(method, path, body);
    if (!ok) {
      flash(answer.error ? `Refused (${status}): ${answer.error}` : `Refused (${status})`, true);
      return;
    }
    sessionStorage.setItem('switchboard-flash', describe(answer));
    location.reload();
  } catch (err) {
    flash(`The gateway did not answer: ${err.message}`, true);
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener('click', (e) => {
  const button = e.target.closest('button[data-api]');
  if (button) {
    const [method, path] = button.dataset.api.split(' ');
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    void act(method, path, button.dataset.body ? JSON.parse(button.dataset.body) : {}, button);
    return;
  }
  const copy = e.target.closest('button[data-copy]');
  if (copy) {
    const text = document.getElementById(copy.dataset.copy)?.textContent ?? '';
    const done = () => {
      copy.textContent = 'Copied';
      setTimeout(() => (copy.textContent = 'Copy payload'), 1500);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => selectText(copy.dataset.copy));
    else selectText(copy.dataset.copy);
  }
});

function selectText(id) {
  const range = document.createRange();
  range.selectNodeContents(document.getElementById(id));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  flash('Selected: press Ctrl+C to copy.');
}

document.getElementById('sample')?.addEventListener('change', (e) => {
  const option = e.target.selectedOptions[0];
  if (option?.dataset.body) document.querySelector('textarea[name="payload"]').value = option.dataset.body;
});

document.getElementById('pause-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const ms = { '15m': 9e5, '1h': 36e5, '4h': 144e5, '24h': 864e5 }[form.get('expires')];
  const body = { comment: form.get('comment') || undefined, until: ms ? new Date(Date.now() + ms).toISOString() : undefined };
  void act('POST', `/api/${form.get('target')}/pause`, body, e.target.querySelector('button'));
});

// The destinations table from GET /api/destinations when the admin API has it; the server's table otherwise.
const table = document.getElementById('destinations');
if (table?.dataset.api) {
  callApi('GET', table.dataset.api).then(({ ok, answer }) => {
    if (ok && Array.isArray(answer.destinations)) renderDestinations(table, answer.destinations);
  }, () => {});
}

function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text ?? '—';
  if (cls) td.className = cls;
  return td;
}

// As the server writes it (pages/overview.ts throttleNote).
function throttleNote(t) {
  return t.throttledUntil ? `until ${t.throttledUntil.replace('T', ' ')}` : `at ${t.ratePerSecond}/s`;
}

function renderDestinations(table, destinations) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  for (const d of destinations) {
    const row = tbody.insertRow();
    cell(row, d.name);
    cell(row, d.type);
    const state = cell(row, '');
    const badge = document.createElement('span');
    badge.className = `state ${d.state}`;
    badge.textContent = d.state;
    state.append(badge);
    if (d.pause) {
      const note = [d.pause.comment ? `“${d.pause.comment}”` : '', `by ${d.pause.by}`, d.pause.expiresAt ? `until ${d.pause.expiresAt.replace('T', ' ')}` : 'until resumed'];
      state.append(` ${note.filter(Boolean).join(' ')}`);
    }
    if (d.breaker?.openUntil) state.append(` until ${d.breaker.openUntil.replace('T', ' ')}`);
    if (d.state === 'throttled' && d.throttle) state.append(` ${throttleNote(d.throttle)}`);
    cell(row, String(d.pending), 'num');
    cell(row, String(d.inFlight), 'num');
    cell(row, String(d.dead ?? 0), 'num');
    cell(row, ago(d.oldestPendingAt));
    cell(row, String(d.delivered1h), 'num');
    cell(row, String(d.failed1h), 'num');
    cell(row, d.lastError ? `${ago(d.lastError.at)} ago: ${d.lastError.reason}` : '—');
    const actions = cell(row, '');
    if (d.state === 'paused') {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Resume';
      b.dataset.api = `POST /api/destinations/${encodeURIComponent(d.name)}/resume`;
      actions.append(b);
    }
  }
  const head = table.tHead.rows[0].cells;
  head[8].textContent = 'Failed 1h';
  document.getElementById('destinations-note')?.remove();
}

const saved = sessionStorage.getItem('switchboard-flash');
if (saved) {
  sessionStorage.removeItem('switchboard-flash');
  flash(saved);
}
