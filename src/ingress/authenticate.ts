import type { SourceConfig } from '../config/types.ts';
import { pluginTextRedactor, Redactor } from '../observability/redact.ts';
import type { Authentication } from '../sources/api.ts';
import { BUILTIN_SOURCES } from '../sources/builtin.ts';
import { errorText } from '../sources/decode.ts';
import { type ReceiveOutcome, reject, type WebhookRequest } from './receive.ts';

/** What authentication found: the refusal to answer, or the key to dedupe on and the secret that matched. */
export type Authenticated = ReceiveOutcome | { idempotencyKey?: string; secretIndex?: number };

/**
 * Whether the body is proven to come from the sender, by the source plugin's own check over the raw bytes
 * (before any parsing) with any of the source's secrets, or because it was verified when it first arrived.
 * Bodies with no signature at all pass only where allowUnsigned says so. Answers the refusal (401; 500 when
 * the plugin throws or answers no verdict, a bug the sender should retry past), or the key to dedupe on (the
 * provider's idempotency key when it sends one). `headers` have lowercase names; `now` is epoch ms.
 *
 * A refusal's text goes to a stranger. The built-in sources' sentences are ours (they name the header and say
 * nothing of the secret); a user plugin's free text is not sent: it may hold the secret or the signature it
 * computed (which would sign that body for anyone). Such a refusal is answered with a fixed sentence, and the
 * plugin's own text goes to the log line only, with the source's secrets (as is, hex, base64, base64url) and
 * anything shaped like a digest taken out.
 */
export function authenticate(
  req: WebhookRequest,
  source: SourceConfig,
  headers: Readonly<Record<string, string | undefined>>,
  now: number,
): Authenticated {
  if (req.preverified === true) return {};
  if (source.secrets.length === 0) {
    return source.allowUnsigned ? {} : reject(401, 'signature', 'the source has no secret to verify with');
  }
  let answer: unknown;
  try {
    const request = { headers, raw: req.raw, ...(req.received && { received: req.received }) };
    answer = source.plugin.authenticate(request, source.secrets, source.options, now);
  } catch (err) {
    // A bug, not a verdict: a 401 would tell an honest sender its signature is wrong. Nothing is let through;
    // the 500 makes the sender retry, and the log names the plugin.
    return pluginFault(source, `threw: ${errorText(err)}`);
  }
  const wrong = wrongVerdict(answer);
  if (wrong !== undefined) return pluginFault(source, `answered ${wrong}`);
  const verdict = answer as Authentication;
  if (verdict.ok) {
    const { idempotencyKey, secretIndex } = verdict;
    // The index labels a metric series: one that names no secret of the source is dropped, not counted.
    const known = Number.isInteger(secretIndex) && secretIndex! >= 0 && secretIndex! < source.secrets.length;
    return {
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(known ? { secretIndex } : {}),
    };
  }
  if (verdict.missing && source.allowUnsigned) return {};
  return refusal(source, verdict.missing, verdict.error);
}

/** The 500 for a plugin whose authenticate has a bug; what it did (secrets and digests taken out) is logged. */
function pluginFault(source: SourceConfig, what: string): ReceiveOutcome {
  const outcome = reject(
    500,
    'plugin',
    `the ${source.kind} source could not check the request (a fault in the gateway, not in the request); retry later`,
  );
  const detail = withoutDigests(redactorOf(source.secrets, 'log').redact(what));
  return outcome.status === 200
    ? outcome
    : { ...outcome, detail: `the ${source.kind} source plugin's authenticate ${detail}` };
}

/**
 * What is wrong with a plugin's answer to `authenticate`, or undefined when it is an `Authentication`. A
 * Promise is wrong (authenticate answers at once); its rejection is caught, so it is not left unhandled.
 */
function wrongVerdict(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null) return `${x === null ? 'null' : typeof x}, not a verdict`;
  const v = x as Record<string, unknown>;
  if (typeof v.then === 'function') {
    (x as Promise<unknown>).then(undefined, () => {});
    return 'a Promise (authenticate must answer synchronously)';
  }
  if (v.ok === true) {
    if (v.idempotencyKey !== undefined && typeof v.idempotencyKey !== 'string')
      return 'an idempotencyKey that is not a string';
    return undefined;
  }
  if (v.ok !== false) return 'a verdict whose ok is neither true nor false';
  if (typeof v.missing !== 'boolean' || typeof v.error !== 'string')
    return 'a refusal without missing: boolean and error: string';
  return undefined;
}

/** The 401 for a source's refusal: its own sentence for a built-in, a fixed one (its text logged) for a plugin. */
function refusal(source: SourceConfig, missing: boolean, said: string): ReceiveOutcome {
  // A built-in's sentence names no secret (only its header); searched anyway, for secrets long enough not to
  // match its ordinary words.
  if (BUILTIN_SOURCES.get(source.kind) === source.plugin)
    return reject(401, 'signature', redactorOf(source.secrets, 'public').redact(said));
  const clean = redactorOf(source.secrets, 'log').redact(said);
  const outcome = reject(
    401,
    'signature',
    missing
      ? `the request carries no signature the ${source.kind} source recognizes: sign it as the provider documents`
      : `the ${source.kind} source did not accept the request's signature (check the source secret; the gateway's log says why)`,
  );
  return outcome.status === 200 ? outcome : { ...outcome, detail: withoutDigests(clean) };
}

/** Runs of characters hex or base64 (either alphabet) may hold; each is looked at once (linear in the text). */
const RUN = /[A-Za-z0-9+/_-]{27,}={0,2}/g;

/** The most of a plugin's text a log line keeps (a plugin may echo the body, up to server.bodyLimit). */
const MAX_DETAIL_CHARS = 1000;

/**
 * A plugin's text for the log: anything shaped like a digest replaced, an HMAC (SHA-1 and up) that a plugin
 * may print as "expected ..." and which would sign a stranger's body: a run of 32+ hex digits, or of 27+
 * base64 characters with a digit among them; then cut to MAX_DETAIL_CHARS.
 */
function withoutDigests(text: string): string {
  const out = text.replace(RUN, (run) =>
    /\d/.test(run) || /^[0-9a-fA-F]{32,}$/.test(run) ? '[digest]' : run,
  );
  return out.length <= MAX_DETAIL_CHARS ? out : `${out.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}

/**
 * Redactors by secret list (a source's `secrets` array is built once per config, so a reload makes new ones):
 * for a plugin's text, bound for the log, pluginTextRedactor's; for a built-in's public sentence, secrets of
 * MIN_SECRET_LENGTH and up.
 */
const publicRedactors = new WeakMap<readonly string[], Redactor>();

function redactorOf(secrets: readonly string[], use: 'log' | 'public'): Redactor {
  if (use === 'log') return pluginTextRedactor(secrets);
  let r = publicRedactors.get(secrets);
  if (r === undefined) {
    r = new Redactor(secrets);
    publicRedactors.set(secrets, r);
  }
  return r;
}
