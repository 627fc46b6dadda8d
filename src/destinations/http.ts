/**
 * What an HTTP answer, or a request that got none, means for a delivery, and the one HTTP send every plugin
 * uses (part of the plugin SDK, sdk.ts). One place decides which statuses are worth retrying, so a status
 * means the same for http, slack, discord and a user's plugin (alertmanager's notify/util.go Retrier).
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { fitsInHeader } from '../header-value.ts';
import { Redactor, type RedactorOptions } from '../observability/redact.ts';
import { type Deadline, deadline } from './deadline.ts';
import { PermanentError, parseRetryAfter, RetryAfterError, TransientError } from './errors.ts';
import { withPublicCas } from './tls.ts';

/** How many characters of a response body an error message may quote. */
const SNIPPET_CHARS = 200;
/** How much of a response body is read at most; the rest is discarded unread. */
const READ_LIMIT = 4096;

/** Names the target in error messages by origin only: paths and queries often carry tokens. */
export function describeTarget(url: URL): string {
  return url.origin;
}

/**
 * Replaces every occurrence of each secret (as is, or JSON-, URL- or base64-encoded) with `[redacted]`; values
 * shorter than `minLength` (default 6) are skipped as too common. The gateway's one redactor
 * (observability/redact.ts), for plugins.
 */
export function redact(text: string, secrets: readonly string[], options: RedactorOptions = {}): string {
  return new Redactor(secrets, options).redact(text);
}

/**
 * Every secret a config loaded in this process has named (a signing secret, the admin token, another
 * destination's password), kept for snippet(): it must hide them before it cuts an answer short, as the
 * gateway's own redaction of the stored error comes after the cut and no longer recognises a secret the cut
 * went through (its first characters showed). Secrets are added on every load and reload, never removed: hiding
 * one no longer in use costs nothing. Kept on globalThis: plugins load through their own module loader, and
 * the copy of this module they import is not the one the config loader imports.
 */
const REMEMBERED = Symbol.for('switchboard.rememberedSecrets');
interface Remembered {
  secrets: Set<string>;
  redactor: Redactor;
}
function remembered(): Remembered {
  const global = globalThis as { [REMEMBERED]?: Remembered };
  global[REMEMBERED] ??= { secrets: new Set(), redactor: new Redactor([]) };
  return global[REMEMBERED];
}

/** Adds a loaded config's secrets to those snippet() hides in every answer (see `remembered`). */
export function rememberSecrets(secrets: Iterable<string>): void {
  const r = remembered();
  const before = r.secrets.size;
  for (const secret of secrets) r.secrets.add(secret);
  if (r.secrets.size !== before) r.redactor = new Redactor([...r.secrets]);
}

/**
 * One line of a response body for an error message, at most 200 characters, with `secrets` (the request's
 * own: URL parts, header values) and every configured secret (rememberSecrets) removed before it is cut short.
 */
export function snippet(body: string, secrets: readonly string[]): string {
  const line = remembered().redactor.redact(redact(body, secrets)).replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}

/** The facts about an HTTP answer that decide its outcome. */
export interface HttpAnswer {
  status: number;
  /** Response body (possibly truncated), already passed through `snippet`. */
  snippet: string;
  /** The Retry-After header as received, if any. */
  retryAfter: string | null;
}

/**
 * The failure an HTTP status means, or undefined for 2xx. 429 is throttling (a RetryAfterError when
 * Retry-After is readable, else a rate_limited TransientError: the queue pauses the destination either way);
 * 408 and 5xx are transient (503 with a Retry-After waits that long); a redirect and every other 4xx —
 * 401/403 included, as auth — are permanent.
 */
export function classifyHttpResponse(target: string, answer: HttpAnswer): Error | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  const details = answer.snippet === '' ? '' : `: ${answer.snippet}`;
  const message = `${target} answered ${status}${details}`;
  if (status >= 300 && status < 400) {
    return new PermanentError(
      `${target} redirects (${status}); redirects are not followed, so configure the final URL`,
      { statusCode: status, reason: 'client_error' },
    );
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter);
    if (retryAfterMs !== undefined) {
      const reason = status === 429 ? 'rate_limited' : 'server_error';
      return new RetryAfterError(message, retryAfterMs, { statusCode: status, reason });
    }
  }
  if (status === 408) return new TransientError(message, { statusCode: status, reason: 'timeout' });
  if (status === 429) return new TransientError(message, { statusCode: status, reason: 'rate_limited' });
  if (status >= 500) return new TransientError(message, { statusCode: status, reason: 'server_error' });
  if (status === 401 || status === 403) {
    return new PermanentError(message, { statusCode: status, reason: 'auth' });
  }
  if (status >= 400) return new PermanentError(message, { statusCode: status, reason: 'client_error' });
  return new TransientError(message, { statusCode: status, reason: 'other' });
}

/**
 * The failure for a request that got no answer. `limit` is the plugin's own per-attempt deadline, whose
 * signal the attempt's signal can also abort (queue timeout or shutdown).
 */
export function failureForRequestError(err: unknown, target: string, limit: Deadline): TransientError {
  if (limit.expired) {
    return new TransientError(`no answer from ${target} within ${limit.ms} ms`, { reason: 'timeout' });
  }
  if (limit.signal.aborted) {
    return new TransientError(
      `request to ${target} was aborted (attempt timed out or the service is stopping)`,
      {
        reason: 'timeout',
      },
    );
  }
  const { meaning, answered } = networkFailure(err);
  // Reached, but what came back is not a usable HTTP answer (not HTTP, headers too large, a broken body).
  const where = answered ? `no usable answer from ${target}` : `could not reach ${target}`;
  return new TransientError(`${where}: ${meaning}`, { reason: 'network' });
}

/**
 * What undici's own failures mean, for a stored error someone reads at 3 a.m. (its codes are not telling), and
 * whether the receiver had answered (badly) rather than not been reached. Parser errors carry a name, no code.
 */
const UNDICI_FAILURES = new Map<string, { meaning: string; answered: boolean }>(
  Object.entries({
    UND_ERR_SOCKET: { meaning: 'the connection closed before a whole answer (ECONNRESET)', answered: false },
    UND_ERR_CONNECT_TIMEOUT: { meaning: 'connect timeout (ETIMEDOUT)', answered: false },
    UND_ERR_HEADERS_TIMEOUT: { meaning: 'no response headers in time', answered: false },
    UND_ERR_BODY_TIMEOUT: { meaning: 'the response body stalled', answered: true },
    UND_ERR_HEADERS_OVERFLOW: { meaning: 'the response headers are too large', answered: true },
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: {
      meaning: 'the response body did not match its Content-Length',
      answered: true,
    },
    HTTPParserError: { meaning: 'the answer is not valid HTTP/1.1', answered: true },
  }),
);

/** OpenSSL's codes for a certificate chain that ends at no trusted CA (a self-signed or private-CA certificate). */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * The most telling short account of a network failure: the system error's code (ECONNREFUSED, ECONNRESET, a
 * TLS code such as DEPTH_ZERO_SELF_SIGNED_CERT), or what an undici failure means.
 */
function networkFailure(err: unknown): { meaning: string; answered: boolean } {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (typeof e?.cause?.code === 'string') return { meaning: systemCode(e.cause.code), answered: false };
  const known = UNDICI_FAILURES.get(String(e?.code)) ?? UNDICI_FAILURES.get(String(e?.name));
  if (known) return known;
  if (typeof e?.code === 'string') return { meaning: systemCode(e.code), answered: false };
  if (typeof e?.cause?.message === 'string') return { meaning: e.cause.message, answered: false };
  return { meaning: err instanceof Error ? err.message : String(err), answered: false };
}

/** A system or TLS error code as stored; an untrusted certificate's also says how to trust its CA. */
function systemCode(code: string): string {
  if (!UNTRUSTED_CERTIFICATE.has(code)) return code;
  return `${code}: the receiver's TLS certificate is not from a CA this gateway trusts (a private CA: give its PEM file as the destination's ca)`;
}

/** One HTTP request a destination makes. */
export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string;
  /** The attempt's signal (queue timeout, shutdown). */
  signal: AbortSignal;
  /** The plugin's own per-attempt timeout. */
  timeoutMs: number;
  /** Values to keep out of error messages (tokens, the URL's path), even if the receiver echoes them. */
  secrets: readonly string[];
  /** The connections to send on, when not the shared ones: a destination's own (httpAgent, e.g. with a private CA). */
  dispatcher?: Dispatcher;
}

/**
 * Keep-alive connections shared by every destination, up to 256 per origin: a connection per send would cost a
 * TCP (and TLS) handshake each time. undici's `request` rather than fetch or node:http: it never follows
 * redirects, and it costs far less CPU per request (measured here: about 40% less client CPU than node:http,
 * whose request object, agent and socket events were a third of the main thread's work while delivering).
 */
const DISPATCHER = new Agent({ connections: 256 });

/**
 * Keep-alive connections of one destination's own, like the shared ones but trusting `ca` (PEM text, see
 * readCaFile) besides the public CAs: for a receiver whose certificate a private CA issued.
 */
export function httpAgent({ ca }: { ca: string }): Dispatcher {
  return new Agent({ connections: 256, connect: { ca: withPublicCas(ca) } });
}

/** What came back: the status, Retry-After, and at most READ_LIMIT bytes of the body. */
interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/**
 * Sends the request and reads what decides its outcome; rejects on network errors and aborts. A 2xx ends the
 * exchange at its status (its body is discarded in the background, so the connection can be reused). Any other
 * answer's body is read for its start only (READ_LIMIT bytes, waiting at most a quarter of the timeout, up to
 * BODY_WAIT_MS), so a receiver that trickles its body still has its status classified before the attempt times
 * out. A body longer than read is not drained: that connection is dropped instead of reused.
 */
async function exchange(req: HttpRequest, signal: AbortSignal): Promise<Answer> {
  const { url } = req;
  const res = await (req.dispatcher ?? DISPATCHER).request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: req.method as Dispatcher.HttpMethod,
    // The config refuses URLs with credentials (they belong in a header), so the origin and path are all of it.
    headers: withoutClientHeaders(req.headers),
    body: req.body,
    signal,
  });
  const retryAfter = res.headers['retry-after'];
  const status = res.statusCode;
  let body = '';
  if (status >= 200 && status < 300) res.body.dump().catch(() => {});
  else body = await startOf(res.body, Math.min(BODY_WAIT_MS, req.timeoutMs / 4));
  return { status, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body };
}

/** Longest wait for the start of an error answer's body (ms). */
const BODY_WAIT_MS = 1000;

/** The first READ_LIMIT bytes of `body`, or what arrived within `waitMs`, or before it failed; then it is closed. */
function startOf(body: Readable, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      body.off('data', onData);
      if (!body.readableEnded) body.destroy();
      resolve(Buffer.concat(chunks).toString('utf8').slice(0, READ_LIMIT));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= READ_LIMIT) done();
    };
    const timer = setTimeout(done, waitMs);
    body.on('data', onData);
    body.once('end', done);
    body.once('error', done);
  });
}

/**
 * Headers the HTTP client sets itself from the body and the connection (framing and hop-by-hop headers): a
 * configured one is dropped rather than sent. Sending them by hand either breaks the request (a wrong
 * Content-Length) or is refused by the client before anything is sent.
 */
const CLIENT_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
]);

function withoutClientHeaders(headers: Record<string, string>): Record<string, string> {
  const names = Object.keys(headers);
  if (!names.some((name) => CLIENT_HEADERS.has(name.toLowerCase()))) return headers;
  const out: Record<string, string> = {};
  for (const name of names) if (!CLIENT_HEADERS.has(name.toLowerCase())) out[name] = headers[name];
  return out;
}

/**
 * Why these headers cannot be sent, or undefined. A value with a character outside Latin-1 (an emoji, a
 * name in Cyrillic from a templated header) makes Node throw before any byte is sent; retrying cannot fix
 * it, so it is a permanent failure rather than a "network error" retried until dead.
 */
export function headerProblem(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!fitsInHeader(value)) {
      return `header ${name} holds a character HTTP headers cannot carry (only Latin-1, no line breaks); encode the value (e.g. with | url_encode) or move it to the body`;
    }
  }
  return undefined;
}

/**
 * Sends one request without following redirects, under the plugin's `timeoutMs` and the attempt's signal;
 * resolves on 2xx and throws a classified error otherwise (classifyHttpResponse, failureForRequestError).
 */
export async function sendHttp(req: HttpRequest): Promise<void> {
  const target = describeTarget(req.url);
  const problem = headerProblem(req.headers);
  if (problem !== undefined) throw new PermanentError(problem, { reason: 'client_error' });
  const limit = deadline(req.signal, req.timeoutMs);
  let answer: Answer;
  try {
    answer = await exchange(req, limit.signal);
  } catch (err) {
    throw failureForRequestError(err, target, limit);
  } finally {
    limit.dispose();
  }
  const failure = classifyHttpResponse(target, {
    status: answer.status,
    snippet: snippet(answer.body, req.secrets),
    retryAfter: answer.retryAfter,
  });
  if (failure !== undefined) throw failure;
}

/**
 * The parts of a URL that may be secret, for `secrets`: the path and query whole, with and without their leading
 * `/` and `?`, and each path segment and query value on its own (decoded too), since a receiver may echo just
 * the token (`unknown token T0K3N…`). Segments that read like words (`webhooks`, `services`: lowercase letters
 * and hyphens, at most 15) are left out, so errors stay readable. Each part also in lower and upper case, as
 * some receivers echo it.
 */
export function urlSecrets(url: URL): string[] {
  const parts: string[] = [];
  if (url.pathname.length > 1) {
    parts.push(url.pathname, url.pathname.slice(1));
    for (const segment of url.pathname.split('/')) parts.push(segment, decoded(segment));
  }
  if (url.search !== '') {
    parts.push(url.search, url.search.slice(1));
    for (const [name, value] of url.searchParams) parts.push(value, `${name}=${value}`);
  }
  if (url.password !== '') parts.push(url.password, decoded(url.password));
  const secrets = new Set<string>();
  for (const part of parts) {
    if (part === '' || /^[a-z-]{1,15}$/.test(part)) continue;
    secrets.add(part).add(part.toLowerCase()).add(part.toUpperCase());
  }
  return [...secrets];
}

/** A URL component percent-decoded, or as is when it does not decode. */
function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
