import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { AdminDeps } from './api.ts';
import { breakerOf, throttleOf } from './breaker.ts';
import { destinationStates } from './destinations.ts';
import { PAUSE_FIELDS, pauseRequest } from './pause-request.ts';
import { takesOnly } from './vocabulary.ts';

/**
 * The admin endpoints an on-call operator leans on (contract §4): what each destination is doing, one delivery
 * with its attempt log, and pauses with who / why / until when.
 *
 * - GET /api/destinations → DestinationStates (admin/destinations.ts)
 * - GET /api/deliveries/:id → the delivery with `attemptLog`, or 404
 * - POST /api/destinations/:name/pause `{comment?, for?, until?, by?}`, POST /api/routes/:name/pause (same)
 * - POST /api/destinations/:name/resume, POST /api/routes/:name/resume: also for names no longer in the config,
 *   as long as they are paused (a pause must never outlive the means to clear it)
 */
export function operatorRoutes(
  router: Router,
  deps: AdminDeps,
  callerOf: (ctx: object) => string | undefined = () => undefined,
): void {
  const now = () => deps.clock.now();

  router.get('/destinations', async (ctx) => {
    takesOnly(ctx, {});
    const config = deps.config();
    ctx.body = await destinationStates({
      store: deps.store,
      configured: [...config.destinations.values()].map((d) => ({ name: d.name, type: d.type })),
      now: now(),
      breaker: (name) => breakerOf(deps.dispatcher, name, now()),
      throttle: (name) => throttleOf(deps.dispatcher, name),
    });
  });

  router.get('/deliveries/:id', async (ctx) => {
    takesOnly(ctx, {});
    const delivery = await deps.store.getDelivery({ id: ctx.params.id });
    if (!delivery) return notFound(ctx, `no delivery with id ${ctx.params.id}`);
    ctx.body = delivery;
  });

  for (const kind of ['destinations', 'routes'] as const) {
    const what = kind === 'destinations' ? 'destination' : 'route';
    const key = (name: string) => (kind === 'destinations' ? name : `route:${name}`);
    const known = (name: string) =>
      kind === 'destinations'
        ? deps.config().destinations.has(name)
        : deps.config().router.routeNames.includes(name);

    router.post(`/${kind}/:name/pause`, async (ctx) => {
      takesOnly(ctx, { body: PAUSE_FIELDS });
      const name = ctx.params.name;
      if (!known(name)) return notFound(ctx, `no ${what} named ${name}`);
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const how = pauseRequest(body, now(), callerOf(ctx) ?? 'admin-api');
      await deps.store.setPaused({ destination: key(name), paused: true, how, now: new Date(now()) });
      await deps.dispatcher.refreshPaused();
      ctx.body = {
        [what]: name,
        paused: true,
        pause: {
          by: how.by,
          ...(how.comment ? { comment: how.comment } : {}),
          ...(how.expiresAt ? { expiresAt: how.expiresAt.toISOString() } : {}),
        },
      };
    });

    router.post(`/${kind}/:name/resume`, async (ctx) => {
      takesOnly(ctx, {});
      const name = ctx.params.name;
      const paused = (await deps.store.listPauses({ now: new Date(now()) })).some(
        (p) => p.name === key(name),
      );
      if (!known(name) && !paused)
        return notFound(ctx, `no ${what} named ${name}, and none paused by that name`);
      await deps.store.setPaused({ destination: key(name), paused: false });
      await deps.dispatcher.refreshPaused();
      // wasPaused: whether there was a pause to lift (resuming twice is harmless, and says so).
      ctx.body = { [what]: name, paused: false, wasPaused: paused };
    });
  }
}

function notFound(ctx: RouterContext, error: string): void {
  ctx.status = 404;
  ctx.body = { error };
}
