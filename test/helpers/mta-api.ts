/**
 * A stand-in for MTA's webhook management API on 127.0.0.1 (real HTTP): registrations in memory, requests
 * validated the way docs/mta-api.md reads MTA's documentation (Bearer key, required fields and their types,
 * error bodies `{ httpCode, message, timestamp, type, name, requestId }`, paged lists, 204 on delete).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '../../src/ingress/signature.ts';

/** A registration as the stand-in keeps it (with the secret, which the API never returns). */
export interface StoredWebhook {
  id: number;
  event: string;
  url: string;
  secret: string;
  alertEmail?: string;
  sendAlertEmail?: boolean;
  retryOnError?: boolean;
}

/** One request as received. */
export interface SeenRequest {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}

const EVENTS = ['message-reply', 'delivery-status', 'message-send', 'number-opt-in'];
const FIELDS: Record<string, (v: unknown) => boolean> = {
  event: (v) => typeof v === 'string',
  url: (v) => typeof v === 'string',
  secret: (v) => typeof v === 'string',
  alertEmail: (v) => typeof v === 'string',
  sendAlertEmail: (v) => typeof v === 'boolean',
  skipErrors: (v) => typeof v === 'boolean',
  skipErrorCodes: (v) => Array.isArray(v) && v.every((c) => typeof c === 'string'),
  retryOnError: (v) => typeof v === 'boolean',
  maxThroughputPerMinute: (v) => typeof v === 'number',
};
const NAMES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  429: 'RateLimitError',
  500: 'InternalServerError',
};

/** The stand-in server. `faults` are one-shot answers served before normal handling, in order. */
export class MtaApiStub {
  readonly webhooks = new Map<number, StoredWebhook>();
  readonly requests: SeenRequest[] = [];
  /** `after`: the request takes effect, then the answer is the error (a lost answer, as the client sees it). */
  readonly faults: Array<{
    status: number;
    message?: string;
    when?: (method: string) => boolean;
    after?: boolean;
  }> = [];
  /** The key with every right; `readOnlyKey` may list but not change. */
  readonly apiKey = 'mta-test-api-key-7f3e9a';
  readonly readOnlyKey = 'mta-test-read-only-key-1c2d';
  /** Larger pageSize requests are capped to this, so clients must read every page. */
  maxPageSize = 2;
  url = '';
  private nextId = 1001;
  private server!: Server;

  static async start(): Promise<MtaApiStub> {
    const stub = new MtaApiStub();
    stub.server = createServer((req, res) => void stub.handle(req, res));
    stub.server.listen(0, '127.0.0.1');
    await once(stub.server, 'listening');
    stub.url = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}/v3`;
    return stub;
  }

  /** The write requests seen (POST, PATCH, DELETE). */
  get writes(): SeenRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Adds a registration directly (as if made earlier, e.g. in MTA's dashboard). */
  seed(w: Omit<StoredWebhook, 'id'>): StoredWebhook {
    const stored = { id: this.nextId++, ...w };
    this.webhooks.set(stored.id, stored);
    return stored;
  }

  /**
   * Sends `body` as MTA would for `event`: to every registration of that event, signed with its secret.
   * Returns the HTTP status of each send.
   */
  async deliver(event: string, body: string): Promise<number[]> {
    const out: number[] = [];
    for (const w of this.webhooks.values()) {
      if (w.event !== event) continue;
      const res = await fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(w.secret, body) },
        body,
      });
      await res.text();
      out.push(res.status);
    }
    return out;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> | undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return this.error(res, 400, 'Request body is not valid JSON');
      }
    }
    this.requests.push({ method, path: url.pathname + url.search, ...(body ? { body } : {}) });

    const fault = this.faults.findIndex((f) => !f.when || f.when(method));
    if (fault >= 0) {
      const [f] = this.faults.splice(fault, 1);
      if (f.after) {
        const discard = { writeHead: () => ({ end: () => {} }) } as unknown as ServerResponse;
        this.route(req, discard, method, url, body);
      }
      return this.error(res, f.status, f.message ?? 'Something went wrong');
    }
    this.route(req, res, method, url, body);
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    body: Record<string, unknown> | undefined,
  ): unknown {
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (key !== this.apiKey && key !== this.readOnlyKey) return this.error(res, 401, 'Unauthorized');
    if (key === this.readOnlyKey && method !== 'GET')
      return this.error(res, 403, 'This API key does not have permission to manage webhooks');

    const path = url.pathname.replace(/^\/v3/, '');
    if (path === '/webhooks' && method === 'GET') return this.list(res, url);
    if (path === '/webhooks' && method === 'POST') return this.register(res, body);
    const m = /^\/webhooks\/([^/]+)$/.exec(path);
    if (m && (method === 'PATCH' || method === 'DELETE')) {
      const w = this.webhooks.get(Number(m[1]));
      if (!w) return this.error(res, 404, `Webhook ${m[1]} not found`);
      if (method === 'DELETE') {
        this.webhooks.delete(w.id);
        res.writeHead(204).end();
        return;
      }
      return this.update(res, w, body);
    }
    return this.error(res, 404, `Cannot ${method} ${url.pathname}`);
  }

  private list(res: ServerResponse, url: URL): void {
    const page = Number(url.searchParams.get('page') ?? 0);
    const pageSize = Math.min(Number(url.searchParams.get('pageSize') ?? 25), this.maxPageSize);
    const all = [...this.webhooks.values()].map(publicView);
    const rows = all.slice(page * pageSize, (page + 1) * pageSize);
    this.json(res, 200, { success: true, data: { rows, page, pageSize, total: all.length } });
  }

  private register(res: ServerResponse, body: Record<string, unknown> | undefined): void {
    const problem = validate(body, true);
    if (problem) {
      this.error(res, 400, problem);
      return;
    }
    const b = body as Record<string, unknown>;
    const stored = this.seed({
      event: b.event as string,
      url: b.url as string,
      secret: b.secret as string,
      ...(b.alertEmail !== undefined ? { alertEmail: b.alertEmail as string } : {}),
      ...(b.sendAlertEmail !== undefined ? { sendAlertEmail: b.sendAlertEmail as boolean } : {}),
      ...(b.retryOnError !== undefined ? { retryOnError: b.retryOnError as boolean } : {}),
    });
    this.json(res, 200, { success: true, message: 'Webhook registered', data: publicView(stored) });
  }

  private update(res: ServerResponse, w: StoredWebhook, body: Record<string, unknown> | undefined): void {
    const problem = validate(body, false);
    if (problem) {
      this.error(res, 400, problem);
      return;
    }
    Object.assign(w, body);
    this.json(res, 200, { success: true, message: 'Webhook updated', data: publicView(w) });
  }

  private error(res: ServerResponse, status: number, message: string): void {
    this.json(res, status, {
      httpCode: status,
      message,
      timestamp: new Date().toISOString(),
      type: NAMES[status] ?? 'Error',
      name: NAMES[status] ?? 'Error',
      requestId: randomUUID(),
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function publicView(w: StoredWebhook): Omit<StoredWebhook, 'secret'> {
  const { secret: _hidden, ...rest } = w;
  return rest;
}

/** The first problem with a register (all required) or update (all optional, no event) body. */
function validate(body: Record<string, unknown> | undefined, creating: boolean): string | undefined {
  if (!body || typeof body !== 'object') return 'Request body must be a JSON object';
  for (const [k, v] of Object.entries(body)) {
    if (!(k in FIELDS) || (!creating && k === 'event')) return `"${k}" is not allowed`;
    if (!FIELDS[k](v)) return `"${k}" has the wrong type`;
  }
  if (creating) {
    for (const k of ['event', 'url', 'secret']) if (body[k] === undefined) return `"${k}" is required`;
  }
  if (body.event !== undefined && !EVENTS.includes(body.event as string))
    return `"event" must be one of [${EVENTS.join(', ')}]`;
  if (body.url !== undefined && !/^https?:\/\/[^\s]+$/.test(body.url as string))
    return '"url" must be a valid uri';
  if (body.secret !== undefined && (body.secret as string).length === 0)
    return '"secret" is not allowed to be empty';
  return undefined;
}
