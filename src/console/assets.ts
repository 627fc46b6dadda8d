import { readFileSync } from 'node:fs';
import type Router from '@koa/router';

/** The console's own files, read once on first request; there is no CDN and no build step. */
const FILES: Record<string, { type: string; url: URL }> = {
  'console.js': {
    type: 'text/javascript; charset=utf-8',
    url: new URL('./assets/console.js', import.meta.url),
  },
  'console.css': { type: 'text/css; charset=utf-8', url: new URL('./assets/console.css', import.meta.url) },
};

const cache = new Map<string, string>();

/** GET /ui/assets/<file> for the files above (public: they hold no data). */
export function assetRoutes(router: Router): void {
  router.get('/assets/:file', (ctx) => {
    // Own names only: `/ui/assets/constructor` is a 404, not Object.prototype.constructor.
    const file = Object.hasOwn(FILES, ctx.params.file) ? FILES[ctx.params.file] : undefined;
    if (!file) {
      ctx.status = 404;
      return;
    }
    let text = cache.get(ctx.params.file);
    if (text === undefined) {
      text = readFileSync(file.url, 'utf8');
      cache.set(ctx.params.file, text);
    }
    ctx.type = file.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = text;
  });
}
