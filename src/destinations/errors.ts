/**
 * How a destination reports a failed send. The queue owns the retry policy (delivery/policy.ts); a
 * destination only says what kind of failure it saw. Classification is by property, not `instanceof`, so a
 * plugin living outside this repo can throw a plain Error with `permanent` or `retryAfterMs` set.
 */

/** Extra facts about a failed send, recorded with the attempt. */
export interface FailureDetails {
  /** HTTP status (or SMTP reply code) the destination answered with, when there was one. */
  statusCode?: number;
  /** Short machine-friendly reason for metrics: client_error, server_error, rate_limited, timeout, network, auth. */
  reason?: FailureReason;
}

/** The failure reasons used as a metrics label. */
export type FailureReason =
  | 'client_error'
  | 'server_error'
  | 'rate_limited'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'other';

/** A failure that will not go away by retrying (bad request, bad credentials, unknown channel…). */
export class PermanentError extends Error {
  readonly permanent = true;
  readonly statusCode?: number;
  readonly reason?: FailureReason;
  constructor(message: string, details: FailureDetails = {}) {
    super(message);
    this.name = 'PermanentError';
    this.statusCode = details.statusCode;
    this.reason = details.reason;
  }
}

/** A transient failure with a hint from the destination about when to try again (Retry-After, rate limits). */
export class RetryAfterError extends Error {
  readonly retryAfterMs: number;
  readonly statusCode?: number;
  readonly reason?: FailureReason;
  constructor(message: string, retryAfterMs: number, details: FailureDetails = {}) {
    super(message);
    this.name = 'RetryAfterError';
    this.retryAfterMs = retryAfterMs;
    this.statusCode = details.statusCode;
    this.reason = details.reason ?? 'rate_limited';
  }
}

/** A failure that is expected to pass (5xx, network, timeout). Plain errors are treated the same way. */
export class TransientError extends Error {
  readonly statusCode?: number;
  readonly reason?: FailureReason;
  constructor(message: string, details: FailureDetails = {}) {
    super(message);
    this.name = 'TransientError';
    this.statusCode = details.statusCode;
    this.reason = details.reason;
  }
}

/**
 * What one send came to, as the queue sees it. `throttled`: the destination asked us to slow down (HTTP 429,
 * Slack `ratelimited`); it pauses the whole destination and costs the delivery no attempt.
 */
export type SendFailure =
  | { kind: 'permanent'; message: string; statusCode?: number; reason: FailureReason }
  | { kind: 'transient'; message: string; statusCode?: number; reason: FailureReason; retryAfterMs?: number }
  | {
      kind: 'throttled';
      message: string;
      statusCode?: number;
      reason: 'rate_limited';
      retryAfterMs?: number;
    };

/** The reasons a failure may carry as its metrics label; a plugin's own words there are read as `other`. */
const REASONS: ReadonlySet<string> = new Set<FailureReason>([
  'client_error',
  'server_error',
  'rate_limited',
  'timeout',
  'network',
  'auth',
  'other',
]);

/** How many characters of a thrown value's description are kept. */
const DESCRIPTION_CHARS = 500;

/**
 * Reads any thrown value as a send failure. Unknown throwables are transient: the safe default. It never throws
 * itself, whatever a plugin rejected with (an object without a prototype once made it throw, so the attempt was
 * never recorded and the delivery was claimed again every lease, for ever), and the message says what a plugin
 * gave instead of `[object Object]` or `undefined`.
 */
export function classifyFailure(err: unknown): SendFailure {
  try {
    return classify(err);
  } catch {
    return { kind: 'transient', message: describeThrown(err), reason: 'other' };
  }
}

function classify(err: unknown): SendFailure {
  if (typeof err !== 'object' || err === null) {
    return { kind: 'transient', message: describeThrown(err), reason: 'other' };
  }
  const e = err as {
    message?: unknown;
    permanent?: unknown;
    retryAfterMs?: unknown;
    statusCode?: unknown;
    reason?: unknown;
    name?: unknown;
  };
  const message = describeThrown(err);
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // A label of metrics: only the documented values, or every plugin's own words would each make a new series.
  const reason: FailureReason =
    typeof e.reason === 'string' && REASONS.has(e.reason)
      ? (e.reason as FailureReason)
      : e.name === 'TimeoutError'
        ? 'timeout'
        : 'other';
  if (e.permanent === true) return { kind: 'permanent', message, statusCode, reason };
  const retryAfterMs =
    typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) && e.retryAfterMs >= 0
      ? e.retryAfterMs
      : undefined;
  if (reason === 'rate_limited') return { kind: 'throttled', message, statusCode, reason, retryAfterMs };
  return { kind: 'transient', message, statusCode, reason, retryAfterMs };
}

/**
 * What a thrown value says, for the attempt log: an error's message (with its cause's, when it has one: `failed`
 * alone tells an operator nothing), a string as is, anything else as JSON, saying it was not an Error. The
 * gateway redacts secrets from it before it is stored or logged.
 */
export function describeThrown(err: unknown): string {
  let text: string;
  try {
    text = describe(err);
  } catch {
    text = 'the destination failed with a value that cannot be shown (not an Error)';
  }
  return text.length > DESCRIPTION_CHARS ? `${text.slice(0, DESCRIPTION_CHARS)}…` : text;
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err === '' ? 'the destination failed with an empty message' : err;
  if (err === undefined || err === null) {
    return `the destination failed without saying why (it threw ${String(err)}, not an Error)`;
  }
  if (typeof err !== 'object')
    return `the destination failed with ${typeof err} ${String(err)} (not an Error)`;
  const e = err as { message?: unknown; cause?: unknown };
  if (typeof e.message === 'string' && e.message !== '') {
    const cause = e.cause;
    if (cause === undefined || cause === null) return e.message;
    const said =
      typeof cause === 'string'
        ? cause
        : typeof (cause as { message?: unknown }).message === 'string'
          ? (cause as { message: string }).message
          : '';
    return said === '' || e.message.includes(said) ? e.message : `${e.message} (cause: ${said})`;
  }
  if (err instanceof Error) return `the destination failed with ${err.name} and no message`;
  const json = safeJson(err);
  return json === undefined || json === '{}'
    ? 'the destination failed with an object that says nothing (not an Error)'
    : `the destination failed with ${json} (not an Error)`;
}

/** JSON of a thrown object, or undefined when it has none (a cycle, a BigInt, a throwing getter). */
function safeJson(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The longest Retry-After taken at its word (a day); longer values are read as this. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/** An HTTP-date as RFC 9110 §5.6.7 allows it: IMF-fixdate, obsolete RFC 850, or asctime. */
const HTTP_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Parses an HTTP Retry-After value (RFC 9110 §10.2.3: delta-seconds or an HTTP-date) into milliseconds from
 * `now`. Decimal seconds are accepted (Discord, some proxies send them). Returns undefined when absent or
 * unreadable — a negative number, garbage, or a date in another format: `Date.parse('-1')` reads a date in
 * 2001, which once turned a 429 into ten retries within 130 ms. A date in the past means 0; values beyond a
 * day are read as a day (the policy caps them further).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(v) * 1000));
  if (!HTTP_DATE.test(v)) return undefined;
  // asctime carries no zone; HTTP dates are always GMT.
  const at = Date.parse(v.endsWith('GMT') ? v : `${v} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}
