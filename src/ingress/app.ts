import Router, { type RouterContext } from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import type { AuthThrottle } from '../admin/auth-throttle.ts';
import { answerNoEndpoint } from '../admin/no-endpoint.ts';
import type { Config } from '../config/types.ts';
import { publicReadiness, type ReadinessReport } from '../observability/readiness.ts';
import { hasAdminToken } from './admin-token.ts';
import { decompress, MAX_CODINGS, parseContentEncoding } from './content-encoding.ts';
import { FORM, mediaType } from './form.ts';
import { quoted, sourceLabel } from './labels.ts';
import {
  findSource,
  type ReceiveDeps,
  type ReceiveOutcome,
  receive,
  reject,
  storeUnavailable,
} from './receive.ts';
import {
  conflictingContentTypes,
  readableTransferEncoding,
  singleContentType,
  transferCodingRefusal,
} from './request-framing.ts';

/** What the HTTP edge needs; everything else stays behind these. */
export interface AppDeps extends ReceiveDeps {
  config(): Config;
  readiness(): Promise<ReadinessReport>;
  /** Called for every webhook answer (logs and metrics). */
  onWebhook(source: string, outcome: ReceiveOutcome, durationMs: number): void;
  /**
   * Wrong admin tokens per client address, shared with the admin listener: /readyz here tells whether a token
   * is right (it shows more), so guesses at it count too, and a throttled address gets the public answer.
   */
  throttle?: AuthThrottle;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/**
 * The public HTTP surface (contract §4): webhooks, a bare /healthz, and /readyz with its status only (its
 * details, /metrics and the admin API are on the admin listener: admin/app.ts). Koa stays at the edge:
 * handlers read the transport, hand a plain request to the pipeline and write its answer. No port is opened
 * here (`listen` is the caller's), so tests can drive `app.callback()` or a real server alike.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  // Errors we did not expect end here: a plain 500 for the client, the details for the log (via 'error').
  app.silent = true;
  app.on('error', () => {});

  const router = new Router();
  const webhook = async (ctx: RouterContext) => {
    const started = performance.now();
    const outcome = await readAndReceive(ctx, deps);
    ctx.status = outcome.status;
    ctx.body = outcome.body;
    deps.onWebhook(sourceLabel(deps.config(), ctx.params.source), outcome, performance.now() - started);
  };
  router.post('/webhooks/:source', webhook);
  router.post('/webhooks/:source/:event', webhook);

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  // For load balancers: ready or not and why, nothing about the store's address unless the admin token is given.
  router.get('/readyz', async (ctx) => {
    const r = await deps.readiness();
    ctx.status = r.ready ? 200 : 503;
    const status = r.ready ? 'ready' : 'not ready';
    // Store errors name hosts and ports: only an operator holding the admin token sees every check (the admin
    // listener shows them too). Anyone else learns whether and, when not ready, why in plain words.
    if (adminTokenGiven(ctx, deps)) ctx.body = { status, ...r };
    else ctx.body = r.ready ? { status } : { status, reasons: publicReadiness(r).reasons };
  });

  useRoutes(app, router);
  return app;
}

/** Whether the request carries the admin token; a wrong one counts against its address, a throttled one is ignored. */
function adminTokenGiven(ctx: RouterContext, deps: AppDeps): boolean {
  const authorization = ctx.get('authorization');
  if (!authorization) return false;
  const now = deps.clock.now();
  if (deps.throttle?.blocked(ctx.ip, now)) return false;
  const ok = hasAdminToken(authorization, deps.config().admin.token);
  if (ok) deps.throttle?.succeeded(ctx.ip);
  else if (deps.config().admin.token) deps.throttle?.failed(ctx.ip, now, 'public /readyz');
  return ok;
}

/**
 * Mounts a router's routes, and answers everything else (answerNoEndpoint): 405 with `Allow` for a path that
 * exists under another method (`curl` without `-X POST` on a webhook URL used to read "no route for GET
 * /webhooks/mta"), else a JSON 404. Nothing runs for a request a route takes.
 */
export function useRoutes(app: Koa, router: Router): void {
  app.use(router.routes());
  app.use((ctx) => answerNoEndpoint(ctx, `no route for ${ctx.method} ${quoted(ctx.path)}`));
}

async function readAndReceive(ctx: RouterContext, deps: AppDeps): Promise<ReceiveOutcome> {
  const config = deps.config();
  const sourceName: string = ctx.params.source;
  const source = findSource(config, sourceName);
  if ('status' in source) return source;
  const contentTypes = conflictingContentTypes(ctx.req.rawHeaders);
  if (contentTypes !== undefined) {
    return reject(
      400,
      'content_type',
      `Content-Type is given more than once, with different values ("${quoted(contentTypes[0])}", "${quoted(contentTypes[1])}"): send one`,
    );
  }
  const single = singleContentType(ctx.get('content-type'));
  if ('differing' in single) {
    return reject(
      400,
      'content_type',
      `Content-Type lists more than one media type ("${quoted(single.differing[0])}", "${quoted(single.differing[1])}"): send one`,
    );
  }
  const transferEncoding = ctx.req.headers['transfer-encoding'];
  if (!readableTransferEncoding(transferEncoding)) {
    return reject(415, 'content_type', transferCodingRefusal(transferEncoding));
  }
  const contentType = single.type;
  // A plugin may take forms besides JSON (contentTypes); they are parsed for it in receive.ts.
  const taken = source.plugin.contentTypes ?? [];
  const form = taken.includes(FORM) && mediaType(contentType) === FORM;
  if (!form && !JSON_TYPE.test(contentType)) {
    const wanted = ['application/json', ...taken].join(' or ');
    return reject(
      415,
      'content_type',
      `Content-Type must be ${wanted}, got ${contentType ? `"${quoted(contentType)}"` : 'none'}`,
    );
  }
  const encoding = parseContentEncoding(ctx.get('content-encoding') || undefined);
  if ('unknown' in encoding) {
    return reject(
      415,
      'content_type',
      `Content-Encoding "${encoding.unknown}" is not supported (use gzip, deflate, br or none)`,
    );
  }
  if ('tooMany' in encoding) {
    return reject(
      415,
      'content_type',
      `Content-Encoding "${quoted(ctx.get('content-encoding'))}" applies ${encoding.tooMany} codings; at most ${MAX_CODINGS} are removed (use one: gzip, deflate or br)`,
    );
  }
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, {
      limit: config.server.bodyLimitBytes,
      length: ctx.get('content-length') || undefined,
    });
  } catch (err) {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      return reject(413, 'size', `body larger than server.bodyLimit (${config.server.bodyLimitBytes} bytes)`);
    }
    return reject(400, 'json', 'could not read the request body');
  }
  let received: Buffer | undefined;
  let unreadable: string | undefined;
  if (encoding.codings.length > 0) {
    const limit = config.server.bodyLimitBytes;
    const out = await decompress(raw, encoding.codings, limit);
    if (!out.ok && out.tooLarge) {
      return reject(413, 'size', `body larger than server.bodyLimit (${limit} bytes) once decompressed`);
    }
    // Not refused here: a body signed over the bytes on the wire is authentic even when it does not decompress,
    // and is kept (receive.ts decides, with the bytes as received).
    if (!out.ok) unreadable = `body is not valid ${out.coding} data: ${out.message}`;
    else {
      received = raw;
      raw = out.body;
    }
  }
  try {
    const headers = requestHeaders(ctx.req.headers);
    const request = {
      source: sourceName,
      urlEvent: ctx.params.event,
      raw,
      headers,
      ...(form && { contentType: FORM }),
    };
    return await receive(
      { ...request, ...(received && { received }), ...(unreadable && { unreadable }) },
      deps,
    );
  } catch (err) {
    // The rejected-payload log or the store failed: the sender must retry, and MTA does on any non-200.
    // The cause goes to the log line (onWebhook), not to the sender.
    return storeUnavailable(err);
  }
}

/** Node's headers as one string each (repeated headers joined the way HTTP folds them). */
function requestHeaders(raw: import('node:http').IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw))
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
