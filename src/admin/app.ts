import Router from '@koa/router';
import Koa from 'koa';
import { useRoutes } from '../ingress/app.ts';
import type { ReadinessReport } from '../observability/readiness.ts';

/** What the admin listener serves. */
export interface AdminAppDeps {
  readiness(): Promise<ReadinessReport>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** The admin API (admin/api.ts), under /api. */
  api: Koa.Middleware;
}

/**
 * The admin listener (`admin.listen`, default 127.0.0.1:9091), apart from the webhook port: the admin API,
 * /metrics, /readyz with its details (store error, workers, held destinations) and /healthz. What is here
 * describes the inside of the gateway, so it is not on the port the internet reaches.
 */
export function createAdminApp(deps: AdminAppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  app.on('error', () => {});
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const r = await deps.readiness();
    ctx.status = r.ready ? 200 : 503;
    ctx.body = { status: r.ready ? 'ready' : 'not ready', ...r };
  });
  router.get('/metrics', async (ctx) => {
    const m = await deps.metrics();
    ctx.type = m.contentType;
    ctx.body = m.body;
  });
  app.use(deps.api);
  useRoutes(app, router);
  return app;
}
