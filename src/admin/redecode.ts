import type Router from '@koa/router';
import { redecode } from '../ingress/redecode.ts';
import type { AdminDeps } from './api.ts';
import { BadParam, parseSince } from './params.ts';
import { takesOnly } from './vocabulary.ts';

/**
 * `POST /api/redecode` with an optional JSON body `{ "since": "24h" | ISO date, "source": "mta" }`: decodes
 * unrecognized events again and routes those that now decode, each exactly once (see ingress/redecode.ts).
 * Answers the run's report; the deliveries it enqueued go through the "deliveries enqueued" signal.
 */
export function mountRedecode(router: Router, deps: AdminDeps): void {
  router.post('/redecode', async (ctx) => {
    // An unknown name (`sorce`) must not widen the run to every source.
    takesOnly(ctx, { body: ['since', 'source'] });
    const body = (ctx.request as { body?: unknown }).body;
    const args = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const now = deps.clock.now();
    const since = parseSince(args.since, now);
    const source = args.source;
    if (source !== undefined && (typeof source !== 'string' || !deps.config().sources.has(source))) {
      throw new BadParam('source', `no source ${JSON.stringify(source)} in the config`);
    }
    const report = await redecode({
      store: deps.store,
      config: deps.config(),
      now: new Date(now),
      since,
      source,
    });
    deps.enqueued(new Set(report.redecoded.flatMap((r) => r.destinations)));
    ctx.body = report;
  });
}
