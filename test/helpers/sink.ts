import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the sink received. */
export interface SinkRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Epoch ms when the request started and when the sink answered. */
  receivedAt: number;
  answeredAt: number;
}

/** How the sink answers one request: a status (+ headers/body), 'hang' (never answer) or 'destroy' (drop the socket). */
export type SinkReply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'hang'
  | 'destroy';

/**
 * A real HTTP receiver on 127.0.0.1 for delivery tests. `reply` decides each answer (default 200); every request
 * is recorded. `waitFor` resolves when a condition on the recorded requests holds (no sleeps in tests).
 */
export class Sink {
  readonly requests: SinkRequest[] = [];
  reply: (req: SinkRequest) => SinkReply = () => ({ status: 200 });
  private server: Server;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private hanging = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const record: SinkRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          answeredAt: 0,
        };
        const reply = this.reply(record);
        const finish = () => {
          record.answeredAt = Date.now();
          this.requests.push(record);
          this.notify();
        };
        if (reply === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        if (reply === 'destroy') {
          req.socket.destroy();
          finish();
          return;
        }
        const send = () => {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(reply.body ?? '{}');
          finish();
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  /** Starts a sink on a free port (or the given one, to come back on the same port after a `stop`). */
  static async start(port = 0): Promise<Sink> {
    const sink = new Sink();
    await sink.listen(port);
    return sink;
  }

  /** Listens (again) on a port. */
  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Parsed JSON bodies of every recorded request. */
  bodies<T = Record<string, unknown>>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body) as T);
  }

  /** Resolves once `check` holds; rejects after `timeoutMs` with `what` in the message. */
  waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.check !== check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} (sink saw ${this.requests.length} requests)`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  /** Stops listening and drops every connection (hanging ones included). */
  stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
