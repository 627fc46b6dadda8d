import { METHODS } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router, { type RouterContext } from '@koa/router';
import type Koa from 'koa';
import { AuthThrottle } from '../admin/auth-throttle.ts';
import { classifyError, markStoreFailures } from '../admin/error-edge.ts';
import { dryRun } from '../cli/dry-run.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { Log } from '../observability/log.ts';
import { eventTypesOf } from '../sources/builtin.ts';
import type { Store } from '../store/types.ts';
import { assetRoutes } from './assets.ts';
import { html, layout } from './html.ts';
import { rejectedPage, retryPage } from './pages/deliveries.ts';
import { eventPage } from './pages/event.ts';
import { type EventQuery, eventsPage } from './pages/events.ts';
import { overviewPage } from './pages/overview.ts';
import { type TryInput, tryPage } from './pages/try.ts';
import {
  csrfMatches,
  csrfToken,
  endSession,
  issueSession,
  readCookie,
  type Session,
  sessionCookie,
  tokenEquals,
  verifySession,
} from './session.ts';

/** What the console reads. Actions do not go through here: the pages' script calls the admin API. */
export interface ConsoleDeps {
  store: Store;
  config(): Config;
  clock: Clock;
  /** Logins and logouts are logged here (actions are logged by the admin API, with the same `who`). */
  log?: Log;
  /** Failed logins per client address, shared with the admin API's bearer tokens (a fresh one when absent). */
  throttle?: AuthThrottle;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts, which the origin check refuses.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/**
 * The web console under /ui/ (issue #18): server-rendered pages over the store, behind the admin token.
 * Logging in with the token sets an HttpOnly, SameSite=Strict session cookie (src/console/session.ts); every
 * POST here needs the session's CSRF token, and the pages' buttons act through the admin API with the same
 * cookie plus the X-CSRF-Token header, so an action runs exactly the admin API's code and is logged there.
 * Off (404) while `admin.token` is unset, like the API.
 */
export function createConsole(given: ConsoleDeps): Koa.Middleware {
  // Store errors are marked so a page that failed on the store says so (503) and any other failure is a 500.
  const deps = { ...given, store: markStoreFailures(given.store) };
  const router = new Router({ prefix: '/ui' });
  const now = () => deps.clock.now();
  const token = () => deps.config().admin.token ?? '';
  const throttle = deps.throttle ?? new AuthThrottle({ log: deps.log });

  /** The session, or a redirect to the login page (null). */
  const session = (ctx: RouterContext): Session | null => {
    const s = verifySession(token(), readCookie(ctx.get('cookie')), now());
    if (!s) ctx.redirect('/ui/login');
    return s;
  };
  /** POSTs need the session's CSRF token in the form; answers 403 and false without it. */
  const csrfOk = (ctx: RouterContext, s: Session): boolean => {
    const given = (ctx.request.body as Record<string, unknown> | undefined)?._csrf;
    if (csrfMatches(token(), s, typeof given === 'string' ? given : undefined)) return true;
    ctx.status = 403;
    ctx.type = 'html';
    ctx.body = layout({
      title: 'Refused',
      body: html`<p class="error" role="alert">This form was missing its CSRF token. Go back, reload the page and try again.</p>`,
    });
    return false;
  };
  const page = (
    ctx: RouterContext,
    s: Session,
    title: string,
    active: 'overview' | 'events' | 'try' | undefined,
    body: ReturnType<typeof html>,
  ) => {
    ctx.type = 'html';
    ctx.body = layout({ title, active, csrf: csrfToken(token(), s), who: s.who, body });
  };

  router.get('/login', (ctx) => {
    if (verifySession(token(), readCookie(ctx.get('cookie')), now())) return ctx.redirect('/ui/');
    ctx.type = 'html';
    ctx.body = loginPage();
  });
  router.post('/login', (ctx) => {
    const blocked = throttle.blocked(ctx.ip, now());
    if (blocked) {
      ctx.status = 429;
      ctx.set('Retry-After', String(blocked.retryAfterS));
      ctx.type = 'html';
      ctx.body = loginPage(
        `Too many wrong tokens from your address: try again in ${waitInWords(blocked.retryAfterS)}.`,
      );
      return;
    }
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const given = typeof body.token === 'string' ? body.token : '';
    const name = typeof body.name === 'string' ? body.name : '';
    if (!tokenEquals(token(), given)) {
      throttle.failed(ctx.ip, now(), 'console login');
      deps.log?.warn({ ip: ctx.ip }, 'console login refused: wrong admin token');
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage(
        'That is not the admin token. Check admin.token in the config (or its environment variable).',
      );
      return;
    }
    throttle.succeeded(ctx.ip);
    const issued = issueSession(token(), name, now());
    ctx.set('Set-Cookie', sessionCookie(issued.value, ctx.secure));
    deps.log?.info({ who: issued.session.who, ip: ctx.ip }, 'console login');
    ctx.redirect('/ui/');
    ctx.status = 303; // the next request is a GET, whatever the browser
  });
  router.post('/logout', (ctx) => {
    const s = session(ctx);
    if (!s || !csrfOk(ctx, s)) return;
    endSession(s, now());
    ctx.set('Set-Cookie', sessionCookie('', ctx.secure));
    deps.log?.info({ who: s.who }, 'console logout');
    ctx.redirect('/ui/login');
    ctx.status = 303;
  });

  router.get('/', async (ctx) => {
    const s = session(ctx);
    if (!s) return;
    const hours = Math.min(24, Math.max(1, Math.round(Number(ctx.query.hours) || 3)));
    page(ctx, s, 'Overview', 'overview', await overviewPage(deps, now(), hours));
  });
  router.get('/events', async (ctx) => {
    const s = session(ctx);
    if (!s) return;
    const q = firstValues(ctx.query) as EventQuery;
    const { body, status } = await eventsPage(deps.store, q, now(), {
      sources: [...deps.config().sources.keys()],
      destinations: [...deps.config().destinations.keys()],
      types: eventTypesOf([...deps.config().sources.values()].map((s) => s.plugin)),
    });
    ctx.status = status;
    page(ctx, s, 'Events', 'events', body);
  });
  router.get('/events/:id', async (ctx) => {
    const s = session(ctx);
    if (!s) return;
    const detail = await deps.store.getEvent({ id: ctx.params.id });
    if (!detail) {
      ctx.status = 404;
      return page(
        ctx,
        s,
        'No such event',
        'events',
        html`<p>No event with id <code>${ctx.params.id}</code> (it may have been pruned after retention).</p>`,
      );
    }
    page(ctx, s, `Event ${detail.event.type}`, 'events', eventPage(detail));
  });
  router.get('/retry', async (ctx) => {
    const s = session(ctx);
    if (!s) return;
    const q = firstValues(ctx.query);
    const { body, status } = await retryPage(deps.store, q, now(), [...deps.config().destinations.keys()]);
    ctx.status = status;
    page(ctx, s, 'Retry failed deliveries', 'events', body);
  });
  router.get('/rejected', async (ctx) => {
    const s = session(ctx);
    if (s)
      page(
        ctx,
        s,
        'Rejected payloads',
        'events',
        rejectedPage((await deps.store.listRejected({ limit: 100 })).items),
      );
  });
  router.get('/try', (ctx) => {
    const s = session(ctx);
    if (s)
      page(
        ctx,
        s,
        'Try a route',
        'try',
        tryPage([...deps.config().sources.values()], csrfToken(token(), s), {}),
      );
  });
  router.post('/try', (ctx) => {
    const s = session(ctx);
    if (!s || !csrfOk(ctx, s)) return;
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const input: TryInput = {
      source: typeof body.source === 'string' ? body.source : undefined,
      event: typeof body.event === 'string' && body.event !== '' ? body.event : undefined,
      payload: typeof body.payload === 'string' ? body.payload : '',
    };
    const config = deps.config();
    const sources = [...config.sources.values()];
    const source = config.sources.get(input.source ?? '') ?? sources[0];
    const result = source
      ? dryRun(config, source, input.event, Buffer.from(input.payload ?? '', 'utf8'))
      : undefined;
    page(ctx, s, 'Try a route', 'try', tryPage(sources, csrfToken(token(), s), input, result));
    // The page shows why; the status says it too, as the webhook endpoint's would (invalid JSON: 400).
    if (result && !result.ok) ctx.status = result.failure.status;
  });
  assetRoutes(router);

  const routes = router.routes();
  const parse = bodyParser({ enableTypes: ['form'], formLimit: '256kb', parsedMethods: METHODS });
  return async (ctx, next) => {
    if (ctx.path !== '/ui' && !ctx.path.startsWith('/ui/')) return next();
    if (!deps.config().admin.token) {
      ctx.status = 404;
      ctx.body = { error: 'the console is off (set admin.token to enable it)' };
      return;
    }
    if (ctx.path === '/ui') return ctx.redirect('/ui/');
    ctx.set(SECURITY_HEADERS);
    // SameSite ignores ports, so another site on the same host (localhost:3000) counts as same-site and its
    // forms would carry the cookie; a POST whose Origin is not this console's is refused before anything else.
    const origin = ctx.get('origin');
    if (ctx.method === 'POST' && origin && origin !== `${ctx.protocol}://${ctx.host}`) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = layout({
        title: 'Refused',
        body: html`<p class="error" role="alert">This request came from another site (${origin}).</p>`,
      });
      return;
    }
    try {
      await parse(ctx, () =>
        routes(ctx as never, async () => {
          ctx.status = 404;
          ctx.type = 'html';
          ctx.body = layout({
            title: 'Not found',
            body: html`<p>No console page at <code>${ctx.path}</code>. <a href="/ui/">Overview</a></p>`,
          });
        }),
      );
    } catch (err) {
      const answer = classifyError(err);
      const { title, text } =
        answer.status < 500
          ? { title: 'Bad request', text: 'The form could not be read.' }
          : answer.log === 'store'
            ? { title: 'Store unavailable', text: 'The store did not answer; reload to try again.' }
            : {
                title: 'Page failed',
                text: "This page failed; the gateway's log has the error (console page failed).",
              };
      ctx.status = answer.status;
      ctx.type = 'html';
      ctx.body = layout({ title, body: html`<p class="error" role="alert">${text}</p>` });
      if (answer.log === 'store')
        deps.log?.warn({ err, path: ctx.path }, 'console page failed: store unavailable');
      else if (answer.status >= 500) deps.log?.error({ err, path: ctx.path }, 'console page failed');
    }
  };
}

/** Query parameters with one value each (the first, when a name repeats). */
function firstValues(
  query: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** `45 seconds`, `2 minutes`: how long a throttled address waits, for the login page. */
function waitInWords(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

function loginPage(error?: string): string {
  return layout({
    title: 'Log in',
    body: html`<form method="post" action="/ui/login" class="login">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label class="block">Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<label class="block">Your name <input name="name" maxlength="60" placeholder="for the audit log (optional)"></label>
<button type="submit">Log in</button>
<p class="hint">The token is the one in <code>admin.token</code>. The session lasts 8 hours; actions are logged with your name.</p>
</form>`,
  });
}

/** The console and the admin API as one middleware for the admin mount point (each passes on other paths). */
export function withConsole(consoleMw: Koa.Middleware, api: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => consoleMw(ctx, () => api(ctx, next));
}
