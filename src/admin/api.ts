import { METHODS } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router, { type RouterContext } from '@koa/router';
import type Koa from 'koa';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { CSRF_HEADER, consoleAuth } from '../console/session.ts';
import type { Dispatcher, EnqueuedSignal } from '../delivery/dispatcher.ts';
import { hasAdminToken } from '../ingress/admin-token.ts';
import { keptBodyType } from '../ingress/form.ts';
import { keptBytes } from '../ingress/quarantine.ts';
import { receive } from '../ingress/receive.ts';
import type { Log } from '../observability/log.ts';
import { redactorFor } from '../observability/redact.ts';
import { eventTypesOf } from '../sources/builtin.ts';
import type { GroupCommitter } from '../store/group-commit.ts';
import type { Store } from '../store/types.ts';
import { AuthThrottle } from './auth-throttle.ts';
import { classifyError, markedStoreFailure, markStoreFailures } from './error-edge.ts';
import { checkedEventFilter, EVENT_FILTERS, type EventQuery } from './event-query.ts';
import { answerNoEndpoint } from './no-endpoint.ts';
import { operatorRoutes } from './operator-routes.ts';
import { BadParam, deliveryFilter, parseCursor, parseLimit } from './params.ts';
import { mountRedecode } from './redecode.ts';
import { requireJsonObject } from './request-body.ts';
import { checkDestination, takesOnly, type Vocabulary } from './vocabulary.ts';

/** What the admin API works on. */
export interface AdminDeps {
  store: Store;
  config(): Config;
  clock: Clock;
  /** Breakers to show, pauses to re-read after a pause or resume. */
  dispatcher: Dispatcher;
  /** Told of the deliveries a replay or a redecode put in the queue (the dispatcher wakes their workers). */
  enqueued: EnqueuedSignal;
  committer: GroupCommitter;
  /** Told of the store failure behind each 503, for the log (the answer itself does not name it). */
  onStoreError?(err: unknown, method: string, path: string): void;
  /** Where every state-changing request is logged with who made it (token or console session). */
  log?: Log;
  /** Wrong bearer tokens per client address, shared with the console's login (a fresh one when absent). */
  throttle?: AuthThrottle;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function flag(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new BadParam(key, 'must be true or false');
  return v;
}

/** The names filters may use: the config in force. */
function vocabularyOf(config: Config): Vocabulary {
  return {
    destinations: [...config.destinations.keys()],
    routes: config.router.routeNames,
    eventTypes: eventTypesOf([...config.sources.values()].map((s) => s.plugin)),
  };
}

/**
 * The admin API under /api (contract §4): on only while `admin.token` is set; every request needs
 * `Authorization: Bearer <token>`. Answers are JSON, errors included. The token is read from the config in
 * force at each request, so a reload can turn the API on, off, or rotate the token.
 */
export function createAdminApi(given: AdminDeps): Koa.Middleware {
  // Errors out of the store are marked, so the error edge answers 503 for them only (error-edge.ts).
  const deps = { ...given, store: markStoreFailures(given.store) };
  const router = new Router({ prefix: '/api' });
  const now = () => deps.clock.now();
  const throttle = given.throttle ?? new AuthThrottle({ log: given.log });

  router.get('/events', async (ctx) => {
    takesOnly(ctx, { query: [...EVENT_FILTERS, 'limit', 'cursor'] });
    const q = ctx.query;
    const typed = Object.fromEntries(EVENT_FILTERS.map((k) => [k, str(q[k])])) as EventQuery;
    const names = { vocabulary: vocabularyOf(deps.config()), sources: [...deps.config().sources.keys()] };
    ctx.body = await deps.store.listEvents({
      filter: await checkedEventFilter(typed, now(), names, deps.store),
      limit: parseLimit(q.limit),
      cursor: parseCursor(q.cursor),
    });
  });
  router.get('/events/:id', async (ctx) => {
    takesOnly(ctx, {});
    const detail = await deps.store.getEvent({ id: ctx.params.id });
    if (!detail) return notFound(ctx, `no event with id ${ctx.params.id}`);
    ctx.body = detail;
  });
  router.get('/deliveries', async (ctx) => {
    takesOnly(ctx, { query: ['state', 'destination', 'eventId', 'since', 'until', 'limit', 'cursor'] });
    const filter = deliveryFilter(ctx.query, now());
    await checkDestination(filter.destination, vocabularyOf(deps.config()), deps.store);
    ctx.body = await deps.store.listDeliveries({
      filter,
      limit: parseLimit(ctx.query.limit),
      cursor: parseCursor(ctx.query.cursor),
    });
  });
  router.post('/deliveries/:id/retry', async (ctx) => {
    takesOnly(ctx, { body: ['includeDelivered'] });
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const includeDelivered = flag(body, 'includeDelivered');
    const n = await deps.store.replay({ ids: [ctx.params.id], now: new Date(now()), includeDelivered });
    if (n === 0) {
      const d = await deps.store.getDelivery({ id: ctx.params.id });
      if (!d) return notFound(ctx, `no delivery with id ${ctx.params.id}`);
      ctx.status = 409;
      ctx.body = {
        error:
          d.state === 'delivered'
            ? `delivery ${d.id} was delivered; to send it again, POST {"includeDelivered": true}`
            : `delivery ${d.id} is ${d.state}, not failed or dead: it is still in the queue`,
      };
      return;
    }
    deps.enqueued('all');
    ctx.body = { retried: n };
  });
  router.post('/deliveries/retry', async (ctx) => {
    takesOnly(ctx, { body: ['state', 'destination', 'eventId', 'since', 'until', 'includeDelivered'] });
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const filter = deliveryFilter(body, now());
    await checkDestination(filter.destination, vocabularyOf(deps.config()), deps.store);
    const includeDelivered = flag(body, 'includeDelivered');
    filter.state ??= includeDelivered ? ['failed', 'dead', 'delivered'] : ['failed', 'dead'];
    const states = Array.isArray(filter.state) ? filter.state : [filter.state];
    for (const s of states) {
      if (s === 'pending' || s === 'sending')
        throw new BadParam(
          'state',
          `"${s}" deliveries are still in the queue; retry takes failed, dead or delivered`,
        );
      if (s === 'delivered' && !includeDelivered)
        throw new BadParam(
          'state',
          'replaying delivered deliveries sends them again: add "includeDelivered": true',
        );
    }
    const n = await deps.store.replay({ filter, now: new Date(now()), includeDelivered });
    deps.enqueued('all');
    ctx.body = { retried: n };
  });
  router.get('/rejected', async (ctx) => {
    takesOnly(ctx, { query: ['limit', 'cursor'] });
    ctx.body = await deps.store.listRejected({
      limit: parseLimit(ctx.query.limit),
      cursor: parseCursor(ctx.query.cursor),
    });
  });
  router.get('/rejected/:id', async (ctx) => {
    takesOnly(ctx, {});
    const r = await deps.store.getRejected({ id: ctx.params.id });
    if (!r) return notFound(ctx, `no rejected payload with id ${ctx.params.id}`);
    ctx.body = r;
  });
  router.post('/rejected/:id/resubmit', async (ctx) => {
    takesOnly(ctx, {});
    const r = await deps.store.getRejected({ id: ctx.params.id });
    if (!r) return notFound(ctx, `no rejected payload with id ${ctx.params.id}`);
    // Not "still does not decode" with advice about webhook URLs: the payload is fine, the config lacks its source.
    if (!deps.config().sources.has(r.source)) {
      ctx.status = 409;
      ctx.body = {
        error: `rejected payload ${r.id} came from source ${JSON.stringify(r.source)}, which is not in the config in force: add the source back (and reload) to resubmit it`,
      };
      return;
    }
    const raw = keptBytes(r);
    const contentType = keptBodyType(deps.config().sources.get(r.source)?.plugin, raw);
    const outcome = await receive(
      {
        source: r.source,
        urlEvent: r.urlEvent ?? undefined,
        raw,
        preverified: true,
        ...(contentType && { contentType }),
      },
      { config: deps.config, committer: deps.committer, store: deps.store, clock: deps.clock },
    );
    if (outcome.status === 200) {
      await deps.store.deleteRejected({ id: r.id });
      // The committer has already signalled the deliveries it enqueued.
    }
    // A store failure while resubmitting is the store's (503, logged as such), not the payload's.
    if (outcome.status === 503) throw markedStoreFailure(outcome.cause);
    ctx.status = outcome.status === 200 ? 200 : 422;
    ctx.body =
      outcome.status === 200
        ? outcome.body
        : { error: `still does not decode: ${outcome.body.error}`, details: outcome.body.details };
  });
  // Who made each request (the token, or a console session's name), for the pause's `by` when none is given.
  const callers = new WeakMap<object, string>();
  operatorRoutes(router, deps, (ctx) => callers.get(ctx));

  mountRedecode(router, deps);

  const routes = router.routes();
  const redact = redactorFor(() => deps.config().secrets);
  // Every method, as koa-bodyparser@4 did (@koa/bodyparser parses POST, PUT and PATCH by default): a JSON body
  // on any request is checked by requireJsonObject alike.
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', parsedMethods: METHODS });
  return async (ctx, next) => {
    if (ctx.path !== '/api' && !ctx.path.startsWith('/api/')) return next();
    const token = deps.config().admin.token;
    if (!token) {
      ctx.status = 404;
      ctx.body = { error: 'the admin API is off (set admin.token to enable it)' };
      return;
    }
    // The bearer token, or else the web console's session cookie with its CSRF header (src/console/). Only a
    // wrong Authorization header is a guess at the token: those are throttled per address like console logins.
    const authorization = ctx.get('authorization');
    const blocked = authorization ? throttle.blocked(ctx.ip, now()) : undefined;
    if (blocked) {
      ctx.status = 429;
      ctx.set('Retry-After', String(blocked.retryAfterS));
      ctx.body = {
        error: `too many wrong admin tokens from your address: retry after ${blocked.retryAfterS} s`,
      };
      return;
    }
    const byToken = hasAdminToken(authorization, token);
    if (byToken) throttle.succeeded(ctx.ip);
    else if (authorization) throttle.failed(ctx.ip, now(), 'admin API');
    const auth = byToken
      ? { ok: true as const, who: 'admin token' }
      : consoleAuth(token, { cookie: ctx.get('cookie'), csrf: ctx.get(CSRF_HEADER) || undefined }, now());
    if (!auth.ok) {
      ctx.status = auth.status;
      if (auth.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: auth.error };
      return;
    }
    callers.set(ctx, auth.who);
    try {
      await parse(ctx, async () => {
        requireJsonObject(ctx);
        await routes(ctx as never, async () =>
          answerNoEndpoint(ctx, `no admin endpoint ${ctx.method} ${ctx.path}`),
        );
      });
      // The safety net: whatever a remote echoed into an error before redaction existed never leaves here.
      if (ctx.body !== undefined && ctx.body !== null && typeof ctx.body === 'object') {
        ctx.type = 'application/json';
        ctx.body = redact(JSON.stringify(ctx.body));
      }
    } catch (err) {
      const answer = classifyError(err);
      ctx.status = answer.status;
      ctx.body = answer.body;
      if (answer.log === 'store') deps.onStoreError?.(err, ctx.method, ctx.path);
      if (answer.log === 'bug')
        deps.log?.error(
          { err, method: ctx.method, path: ctx.path },
          'admin request failed: unexpected error',
        );
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
