import { timingSafeEqual } from 'node:crypto';
import Router, { type RouterContext } from '@koa/router';
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { CSRF_HEADER, consoleAuth } from '../console/session.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';
import { receive } from '../ingress/receive.ts';
import type { Log } from '../observability/log.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/types.ts';
import { BadParam, deliveryFilter, parseLimit, parseSince } from './params.ts';

/** What the admin API works on. */
export interface AdminDeps {
  store: Store;
  config(): Config;
  clock: Clock;
  dispatcher: Dispatcher;
  committer: GroupCommitter;
  /** Where every state-changing request is logged with who made it (token or console session). */
  log?: Log;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = Buffer.from(m ? m[1].trim() : '', 'utf8');
  const want = Buffer.from(expected, 'utf8');
  if (given.length !== want.length) {
    timingSafeEqual(want, want); // same work either way
    return false;
  }
  return timingSafeEqual(given, want);
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The admin API under /api (contract §4): on only while `admin.token` is set; every request needs
 * `Authorization: Bearer <token>`. Answers are JSON, errors included. The token is read from the config in
 * force at each request, so a reload can turn the API on, off, or rotate the token.
 */
export function createAdminApi(deps: AdminDeps): Koa.Middleware {
  const router = new Router({ prefix: '/api' });
  const now = () => deps.clock.now();

  router.get('/events', async (ctx) => {
    const q = ctx.query;
    const unrouted = q.unrouted === undefined ? undefined : q.unrouted === 'true';
    ctx.body = await deps.store.listEvents(
      {
        type: str(q.type),
        status: str(q.status),
        destination: str(q.destination),
        since: parseSince(q.since, now()),
        unrouted,
      },
      parseLimit(q.limit),
      str(q.cursor),
    );
  });
  router.get('/events/:id', async (ctx) => {
    const detail = await deps.store.getEvent(ctx.params.id);
    if (!detail) return notFound(ctx, `no event with id ${ctx.params.id}`);
    ctx.body = detail;
  });
  router.get('/deliveries', async (ctx) => {
    ctx.body = await deps.store.listDeliveries(
      deliveryFilter(ctx.query, now()),
      parseLimit(ctx.query.limit),
      str(ctx.query.cursor),
    );
  });
  router.post('/deliveries/:id/retry', async (ctx) => {
    const n = await deps.store.replay({ ids: [ctx.params.id] }, new Date(now()));
    if (n === 0) return notFound(ctx, `no failed or dead delivery with id ${ctx.params.id}`);
    deps.dispatcher.wake(deps.dispatcher.destinations);
    ctx.body = { retried: n };
  });
  router.post('/deliveries/retry', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const filter = deliveryFilter(body, now());
    filter.state ??= ['failed', 'dead'];
    const n = await deps.store.replay({ filter }, new Date(now()));
    deps.dispatcher.wake(deps.dispatcher.destinations);
    ctx.body = { retried: n };
  });
  router.get('/rejected', async (ctx) => {
    ctx.body = await deps.store.listRejected(parseLimit(ctx.query.limit), str(ctx.query.cursor));
  });
  router.get('/rejected/:id', async (ctx) => {
    const r = await deps.store.getRejected(ctx.params.id);
    if (!r) return notFound(ctx, `no rejected payload with id ${ctx.params.id}`);
    ctx.body = r;
  });
  router.post('/rejected/:id/resubmit', async (ctx) => {
    const r = await deps.store.getRejected(ctx.params.id);
    if (!r) return notFound(ctx, `no rejected payload with id ${ctx.params.id}`);
    const outcome = await receive(
      {
        source: r.source,
        urlEvent: r.urlEvent ?? undefined,
        raw: Buffer.from(r.body, 'utf8'),
        preverified: true,
      },
      { config: deps.config, committer: deps.committer, store: deps.store, clock: deps.clock },
    );
    if (outcome.status === 200) {
      await deps.store.deleteRejected(r.id);
      deps.dispatcher.wake(outcome.destinations);
    }
    ctx.status = outcome.status === 200 ? 200 : 422;
    ctx.body =
      outcome.status === 200
        ? outcome.body
        : { error: `still does not decode: ${outcome.body.error}`, details: outcome.body.details };
  });
  for (const action of ['pause', 'resume'] as const) {
    router.post(`/destinations/:name/${action}`, async (ctx) => {
      if (!deps.config().destinations.has(ctx.params.name))
        return notFound(ctx, `no destination named ${ctx.params.name}`);
      await deps.store.setPaused(ctx.params.name, action === 'pause');
      await deps.dispatcher.refreshPaused();
      ctx.body = { destination: ctx.params.name, paused: action === 'pause' };
    });
    router.post(`/routes/:name/${action}`, async (ctx) => {
      if (!deps.config().router.routeNames.includes(ctx.params.name))
        return notFound(ctx, `no route named ${ctx.params.name}`);
      await deps.store.setPaused(`route:${ctx.params.name}`, action === 'pause');
      await deps.dispatcher.refreshPaused();
      ctx.body = { route: ctx.params.name, paused: action === 'pause' };
    });
  }

  const routes = router.routes();
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' });
  return async (ctx, next) => {
    if (ctx.path !== '/api' && !ctx.path.startsWith('/api/')) return next();
    const token = deps.config().admin.token;
    if (!token) {
      ctx.status = 404;
      ctx.body = { error: 'the admin API is off (set admin.token to enable it)' };
      return;
    }
    // The bearer token, or else the web console's session cookie with its CSRF header (src/console/).
    const auth = tokenMatches(token, ctx.get('authorization'))
      ? { ok: true as const, who: 'admin token' }
      : consoleAuth(token, { cookie: ctx.get('cookie'), csrf: ctx.get(CSRF_HEADER) || undefined }, now());
    if (!auth.ok) {
      ctx.status = auth.status;
      if (auth.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: auth.error };
      return;
    }
    try {
      await parse(ctx, async () => {
        await routes(ctx as never, async () => {
          ctx.status = 404;
          ctx.body = { error: `no admin endpoint ${ctx.method} ${ctx.path}` };
        });
      });
    } catch (err) {
      if (err instanceof BadParam) {
        ctx.status = 400;
        ctx.body = {
          error: `${err.param}: ${err.message}`,
          details: [{ path: err.param, message: err.message }],
        };
      } else if ((err as { status?: number }).status === 400) {
        ctx.status = 400;
        ctx.body = { error: 'request body is not valid JSON' };
      } else {
        ctx.status = 503;
        ctx.body = { error: 'the store did not answer; try again' };
      }
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      const line = {
        who: auth.who,
        action: `${ctx.method} ${ctx.path}`,
        request: ctx.request.body,
        status: ctx.status,
      };
      deps.log?.info(line, 'admin action');
    }
  };
}

function notFound(ctx: RouterContext, error: string): void {
  ctx.status = 404;
  ctx.body = { error };
}
