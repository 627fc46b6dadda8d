/**
 * HTML for the console's server-rendered pages: a tagged template that escapes every interpolated value unless
 * it is already `Html` (made by this template or by `raw`). Arrays are joined. Nothing else renders markup, so
 * a payload, a tag or an error message from a destination can never become markup on an operator's screen.
 */

/** Markup that is safe to insert as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: values escaped, nested `Html` kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Trusted markup written in this module's callers (never data). */
export function raw(text: string): Html {
  return new Html(text);
}

/** Query string from the non-empty entries (for links that keep the current filters). */
export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What every page shares: the head, the navigation, the CSRF token for scripts, the main content. */
export function layout(opts: {
  title: string;
  active?: 'overview' | 'events' | 'try';
  csrf?: string;
  who?: string;
  body: Html;
}): string {
  const nav = (key: string, href: string, label: string) =>
    html`<a href="${href}"${opts.active === key ? raw(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.csrf ? html`<meta name="csrf-token" content="${opts.csrf}">` : ''}
<title>${opts.title} · Switchboard</title>
<link rel="stylesheet" href="/ui/assets/console.css">
<script src="/ui/assets/console.js" defer></script>
</head>
<body>
<header>
<strong class="brand">Switchboard</strong>
${
  opts.csrf
    ? html`<nav>${nav('overview', '/ui/', 'Overview')}${nav('events', '/ui/events', 'Events')}${nav('try', '/ui/try', 'Try a route')}</nav>
<form method="post" action="/ui/logout" class="logout"><input type="hidden" name="_csrf" value="${opts.csrf}"><span>${opts.who}</span> <button type="submit">Log out</button></form>`
    : ''
}
</header>
<main>
<h1>${opts.title}</h1>
<p id="flash" role="status" hidden></p>
${opts.body}
</main>
</body>
</html>
`.text;
}
