import type { RouterContext } from '@koa/router';
import type Koa from 'koa';
import { quoted } from '../ingress/labels.ts';

/**
 * Answers a request that no route took: `405` with `Allow` when routes exist for its path under other methods
 * (the address is right, the method is not: `DELETE /api/events`), `404` when no route has its path. The
 * error names the methods the path takes (the path cut like any request input). The webhook and admin listeners
 * both answer this way. @koa/router's `allowedMethods()` is not used: it answers `501` for a
 * method it does not know (PROPFIND) even on an unknown path, and leaves the 404's body under its 405.
 */
export function answerNoEndpoint(ctx: Koa.Context, notFound: string): void {
  // The router keeps on the context every route whose path matched, whatever its method, before falling through.
  const layers = (ctx as unknown as RouterContext).matched ?? [];
  const allowed = [...new Set(layers.flatMap((layer) => layer.methods))];
  if (allowed.length === 0) {
    ctx.status = 404;
    ctx.body = { error: notFound };
    return;
  }
  ctx.status = 405;
  ctx.set('Allow', allowed.join(', '));
  ctx.body = { error: `${ctx.method} is not allowed on ${quoted(ctx.path)}: it takes ${allowed.join(', ')}` };
}
