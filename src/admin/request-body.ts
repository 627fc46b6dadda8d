import type { Context } from 'koa';

/** An HTTP error the admin API's error edge answers with its own status and message (error-edge.ts). */
export class HttpRefusal extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks the request body after the JSON parser ran: a body must be sent as `application/json` (else 415) and be
 * a JSON object (else 400: an array or a string must never reach a handler that reads fields, as `[]` once ran
 * the bulk retry of everything). A request without a body passes: handlers see `{}`.
 */
export function requireJsonObject(ctx: Context): void {
  const sent = ctx.req.headers['transfer-encoding'] !== undefined || (ctx.request.length ?? 0) > 0;
  if (!sent) return;
  if (!ctx.request.is('json'))
    throw new HttpRefusal(
      415,
      `the admin API takes JSON only: send the body as application/json, not ${ctx.request.type || 'untyped'}`,
    );
  const body = (ctx.request as { body?: unknown }).body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpRefusal(400, 'body: must be a JSON object, e.g. {"state": "dead"}');
}
