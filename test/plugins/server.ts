/** A configurable HTTP receiver on 127.0.0.1, standing in for Slack, Discord or any webhook endpoint. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the receiver answers a request; 'hang' never answers. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A running receiver. */
export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  received: Received[];
  /** Sets how the following requests are answered. */
  answer(fn: (req: Received) => Answer): void;
  /** Resolves when the next request has arrived (its body read). */
  nextRequest(): Promise<Received>;
  close(): Promise<void>;
}

/** Starts a receiver that answers 200 `ok` until told otherwise. */
export async function startReceiver(): Promise<Receiver> {
  let answerFn: (req: Received) => Answer = () => ({ status: 200, body: 'ok' });
  const received: Received[] = [];
  const waiting: Array<(r: Received) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      for (const resolve of waiting.splice(0)) resolve(r);
      const answer = answerFn(r);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(fn) {
      answerFn = fn;
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago), for "connection refused". */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
