/**
 * The peer's ingest: what a Node engineer would build instead of a gateway. A Koa app that reads the raw body
 * (raw-body, as the gateway and bench/baseline.ts do), checks MTA's X-Signature (lowercase hex HMAC-SHA256 of the
 * raw body, keyed with the source secret: the same scheme src/ingress/signature.ts verifies and bench/lib/bodies.ts
 * signs), JSON.parses it, puts it on a BullMQ queue and answers 200 `{"id":"<job id>"}` once Redis has replied
 * to the add (with `appendfsync always`, after the write is fsynced). 401 on a bad signature, 400 on bad JSON,
 * 500 when Redis fails.
 *
 * Run as its own process: `REDIS_PORT=… SECRET=… node --import tsx bench/peer/app.ts`; prints one JSON line
 * `{"msg":"peer listening","url":...}` when it listens. The worker is bench/peer/worker.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { JOB_OPTIONS, QUEUE, type WebhookJob } from './queue.ts';

const secret = process.env.SECRET ?? '';
const queue = new Queue<WebhookJob>(QUEUE, {
  connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) },
  defaultJobOptions: JOB_OPTIONS,
});

function signatureOk(raw: Buffer, header: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const app = new Koa();
app.use(async (ctx) => {
  const raw = await getRawBody(ctx.req, {
    limit: 256 * 1024,
    length: ctx.get('content-length') || undefined,
  });
  if (!signatureOk(raw, ctx.get('x-signature'))) {
    ctx.status = 401;
    ctx.body = { error: 'X-Signature does not match the body' };
    return;
  }
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch {
    ctx.status = 400;
    ctx.body = { error: 'the body is not JSON' };
    return;
  }
  const job = await queue.add('webhook', { event, receivedAt: new Date().toISOString() });
  ctx.status = 200;
  ctx.body = { id: job.id };
});

await queue.waitUntilReady();
const server = createServer(app.callback());
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'peer listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void queue.close().finally(() => process.exit(0)));
});
