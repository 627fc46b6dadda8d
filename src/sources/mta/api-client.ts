/**
 * A client for MTA's webhook management API (POST/GET /webhooks, PATCH/DELETE /webhooks/{webhookId}), used by
 * `switchboard mta ...`. Source: https://developers.mobile-text-alerts.com/api-reference/webhooks and
 * .../api-basics/error-response-codes/error-message-catalog; our reading of them is in docs/mta-api.md.
 *
 * Failures: an answer MTA gives on purpose (4xx) is thrown at once as MtaApiError with MTA's `message`,
 * `httpCode` and `requestId`. Network failures, timeouts, 429 and 5xx are retried with exponential backoff
 * and jitter, then thrown. A register (POST) whose fate is unknown is never blindly repeated: MTA would then
 * send every event twice. The list is read again first, and a registration found there counts as done.
 */
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';

/** MTA's production API (v3). */
export const MTA_API_URL = 'https://api.mobile-text-alerts.com/v3';

/** One registration as MTA lists it (the secret is never returned). */
export interface MtaWebhook {
  id: string;
  event: string;
  url: string;
  alertEmail?: string;
  sendAlertEmail?: boolean;
  retryOnError?: boolean;
}

/** The body of POST /webhooks. `secret` is required by MTA and is never printed. */
export interface RegisterRequest {
  event: string;
  url: string;
  secret: string;
  alertEmail?: string;
  sendAlertEmail?: boolean;
  retryOnError?: boolean;
}

/** The body of PATCH /webhooks/{id}: only the fields to change. */
export type UpdateRequest = Partial<Omit<RegisterRequest, 'event'>>;

/** An error answer from MTA (its body: `{ httpCode, message, timestamp, type, name, requestId }`). */
export class MtaApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly httpCode: number,
    readonly apiMessage: string | undefined,
    readonly requestId: string | undefined,
    hint: string,
  ) {
    const parts = [`MTA API ${method} ${path} answered ${httpCode}`];
    if (apiMessage) parts[0] += `: ${apiMessage}`;
    super(
      `${parts[0]}${hint ? `\n  ${hint}` : ''}\n  (httpCode ${httpCode}${requestId ? `, requestId ${requestId}` : ''}${requestId ? '; give MTA support the requestId' : ''})`,
    );
  }
}

/** MTA could not be reached (after the retries). */
export class MtaUnreachable extends Error {}

/** What the client needs; `sleep` and `random` are injectable so tests need no real waiting. */
export interface MtaApiOptions {
  baseUrl: string;
  apiKey: string;
  /** Attempts after the first, for network failures, timeouts, 429 and 5xx. Default 3. */
  retries?: number;
  /** First backoff; doubles each retry, full jitter. Default 500 ms. */
  backoffMs?: number;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each retry (the CLI prints it to stderr). */
  onRetry?: (what: string, attempt: number, delayMs: number) => void;
}

const id = new t.Type<string, string, unknown>(
  'an id',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' || typeof u === 'number' ? t.success(String(u)) : t.failure(u, c)),
  (a) => a,
);
const row = t.intersection([
  t.type({ id, event: t.string, url: t.string }),
  t.partial({
    alertEmail: t.union([t.string, t.null]),
    sendAlertEmail: t.union([t.boolean, t.null]),
    retryOnError: t.union([t.boolean, t.null]),
  }),
]);
const listPage = t.type({
  data: t.intersection([t.type({ rows: t.array(row) }), t.partial({ total: t.number })]),
});
const created = t.type({ data: row });

type Row = t.TypeOf<typeof row>;
const toWebhook = (r: Row): MtaWebhook => ({
  id: r.id,
  event: r.event,
  url: r.url,
  ...(r.alertEmail ? { alertEmail: r.alertEmail } : {}),
  ...(typeof r.sendAlertEmail === 'boolean' ? { sendAlertEmail: r.sendAlertEmail } : {}),
  ...(typeof r.retryOnError === 'boolean' ? { retryOnError: r.retryOnError } : {}),
});

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

/** Why a status is worth another try: MTA's side or the path to it, not our request. */
const RETRYABLE = (status: number) => status === 429 || status >= 500;

/** Talks to MTA's webhook endpoints; see the module comment for the failure rules. */
export class MtaApiClient {
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: MtaApiOptions) {
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  /** The API base URL requests go to. */
  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** Every registration on the account, all pages read. */
  async list(): Promise<MtaWebhook[]> {
    const out: MtaWebhook[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.call('GET', `/webhooks?page=${page}&pageSize=${PAGE_SIZE}`);
      const rows = decode(listPage, body, 'GET /webhooks').data;
      out.push(...rows.rows.map(toWebhook));
      const total = rows.total ?? out.length;
      if (rows.rows.length === 0 || out.length >= total) return out;
    }
    return out;
  }

  /** Registers one (event, url); when the outcome of the POST is unknown, checks the list before trying again. */
  async register(req: RegisterRequest): Promise<MtaWebhook> {
    const body = await this.call('POST', '/webhooks', req, async () => {
      const found = (await this.list()).find((w) => w.event === req.event && w.url === req.url);
      return found && { data: found };
    });
    return toWebhook(decode(created, body, 'POST /webhooks').data);
  }

  /** Changes fields of one registration (the secret, during a rotation). PATCH sets values, so it is retried. */
  async update(webhookId: string, patch: UpdateRequest): Promise<void> {
    await this.call('PATCH', `/webhooks/${encodeURIComponent(webhookId)}`, patch);
  }

  /** Deletes one registration. A 404 on a retry means an earlier attempt already deleted it. */
  async remove(webhookId: string): Promise<void> {
    await this.call('DELETE', `/webhooks/${encodeURIComponent(webhookId)}`);
  }

  /**
   * One request with the retry policy. `recover` is asked, before a retry of a request that is not idempotent,
   * whether the previous attempt took effect after all; a value it returns is used as the answer.
   */
  private async call(
    method: string,
    path: string,
    body?: unknown,
    recover?: () => Promise<unknown>,
  ): Promise<unknown> {
    const what = `${method} ${path.split('?')[0]}`;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && recover) {
        const done = await recover();
        if (done !== undefined) return done;
      }
      let res: Response;
      try {
        res = await fetch(this.opts.baseUrl.replace(/\/+$/, '') + path, {
          method,
          headers: {
            authorization: `Bearer ${this.opts.apiKey}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const reason = networkReason(err);
        if (attempt < this.retries) {
          await this.wait(what, attempt, undefined);
          continue;
        }
        throw new MtaUnreachable(
          `could not reach MTA's API at ${this.opts.baseUrl} (${what}): ${reason}, after ${attempt + 1} attempts. Check the network, or --api-url / MTA_API_URL.`,
        );
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return text === '' ? undefined : parseJson(text, what);
      if (RETRYABLE(res.status) && attempt < this.retries) {
        await this.wait(what, attempt, retryAfterMs(res.headers.get('retry-after')));
        continue;
      }
      // A 404 after a retried DELETE: an earlier attempt did delete it.
      if (res.status === 404 && method === 'DELETE' && attempt > 0) return undefined;
      throw this.apiError(method, path.split('?')[0], res.status, text, body);
    }
  }

  private async wait(what: string, attempt: number, retryAfter: number | undefined): Promise<void> {
    const cap = this.backoffMs * 2 ** attempt;
    const delay = retryAfter ?? Math.round(cap / 2 + (this.random() * cap) / 2);
    this.opts.onRetry?.(what, attempt + 1, delay);
    await this.sleep(delay);
  }

  private apiError(method: string, path: string, status: number, text: string, sent: unknown): MtaApiError {
    let message: string | undefined;
    let requestId: string | undefined;
    let httpCode = status;
    try {
      const b = JSON.parse(text) as Record<string, unknown>;
      if (typeof b.message === 'string') message = b.message;
      else if (typeof b.error === 'string') message = b.error;
      if (typeof b.requestId === 'string') requestId = b.requestId;
      if (typeof b.httpCode === 'number') httpCode = b.httpCode;
      if (typeof b.reason === 'string' && b.reason) message = `${message ?? ''} (reason: ${b.reason})`;
    } catch {
      message = text.trim().slice(0, 200) || undefined;
    }
    // MTA's message may quote what we sent: never let the API key or a secret through.
    const hidden = [this.opts.apiKey, (sent as { secret?: string } | undefined)?.secret].filter(
      (v): v is string => typeof v === 'string' && v.length >= 4,
    );
    for (const h of hidden) message = message?.split(h).join('***');
    return new MtaApiError(method, path, httpCode, message, requestId, hintFor(status));
  }
}

function hintFor(status: number): string {
  if (status === 401)
    return 'The API key was refused: check MTA_API_KEY (MTA dashboard → Settings → Developer Resources → API keys).';
  if (status === 403)
    return 'The API key is valid but may not manage webhooks on this account: use a key of an account owner or admin.';
  if (status === 429) return 'MTA is rate-limiting this key: wait a minute and run the command again.';
  if (status >= 500) return 'MTA had a problem on its side and kept failing: try again later.';
  return '';
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 30_000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), 30_000);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`MTA API ${what} answered 2xx with a body that is not JSON: ${text.slice(0, 120)}`);
  }
}

function decode<A>(codec: t.Decoder<unknown, A>, body: unknown, what: string): A {
  const r = codec.decode(body);
  if (r._tag === 'Right') return r.right;
  throw new Error(
    `MTA API ${what} answered in a shape this version does not understand:\n  ${PathReporter.report(r).join('\n  ')}`,
  );
}
