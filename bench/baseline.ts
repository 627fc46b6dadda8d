/**
 * The ceiling of our HTTP stack: a bare Koa app that reads the body with raw-body (as the gateway does),
 * JSON.parses it and answers 200 `{"id":"x"}`. No signature, no decode, no store. Run as its own process;
 * prints one JSON line `{"msg":"baseline listening","url":...}` when it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';

const app = new Koa();
app.use(async (ctx) => {
  const raw = await getRawBody(ctx.req, {
    limit: 256 * 1024,
    length: ctx.get('content-length') || undefined,
  });
  JSON.parse(raw.toString('utf8'));
  ctx.status = 200;
  ctx.body = { id: 'x' };
});

const server = createServer(app.callback());
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
