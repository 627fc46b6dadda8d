/**
 * A sample custom destination: posts each event to a Discord channel through a webhook.
 * It uses only what any plugin may use (the interface, the error classes, ctx.template), so copy it freely;
 * plugins/discord/README.md walks through it.
 */
import * as t from 'io-ts';
import type {
  AttemptInfo,
  Destination,
  DestinationPlugin,
  PluginContext,
} from '../../src/destinations/api.ts';
import { deadline } from '../../src/destinations/deadline.ts';
import {
  PermanentError,
  parseRetryAfter,
  RetryAfterError,
  TransientError,
} from '../../src/destinations/errors.ts';

/** A string that parses as a URL; checked when the config loads, so create() never meets a bad one. */
const WebhookUrl = t.refinement(t.string, (s) => URL.canParse(s), 'WebhookUrl');

/** Options users write under the destination. t.exact: unknown keys are reported by the config loader. */
const DiscordOptions = t.exact(
  t.intersection([t.type({ webhookUrl: WebhookUrl }), t.partial({ content: t.string, username: t.string })]),
);
type DiscordOptions = t.TypeOf<typeof DiscordOptions>;

const DEFAULT_CONTENT = '**{{ type }}** from {{ phone }}: {{ text | default: status.name }}';
/** Discord refuses messages longer than this. */
const MAX_CONTENT = 2000;

function create(options: DiscordOptions, ctx: PluginContext): Destination {
  // Compile templates here, once: a syntax error becomes a config error pointing at `content`.
  const content = ctx.template('content', options.content ?? DEFAULT_CONTENT, 'none');
  const url = new URL(options.webhookUrl);
  // The webhook URL is a secret: error messages name the host only, and never quote the path back.
  const host = url.host;
  const hide = (text: string) => (url.pathname.length > 1 ? text.split(url.pathname).join('/…') : text);

  /** Posts one message; resolves when Discord took it, throws a classified error otherwise. */
  async function post(text: string, attempt: AttemptInfo): Promise<void> {
    // Not AbortSignal.any with AbortSignal.timeout: on Node 20 a garbage collection can drop that timeout.
    const limit = deadline(attempt.signal, ctx.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // allowed_mentions: an SMS saying "@everyone" must not ping the channel.
        body: JSON.stringify({ content: text, username: options.username, allowed_mentions: { parse: [] } }),
        redirect: 'manual',
        signal: limit.signal,
      });
    } catch {
      // Network errors and timeouts: transient, the queue retries with backoff.
      const reason = limit.signal.aborted ? 'timeout' : 'network';
      throw new TransientError(`could not reach Discord at ${host} (${reason})`, { reason });
    } finally {
      limit.dispose();
    }
    if (res.ok) return;

    const answer = hide(await res.text().catch(() => ''));
    const message = `Discord at ${host} answered ${res.status}: ${answer.slice(0, 200)}`;
    // Rate limited: Discord says when to come back, as `retry_after` seconds in the body or a header.
    const retryAfterMs = retryAfter(res, answer);
    if ((res.status === 429 || res.status === 503) && retryAfterMs !== undefined) {
      throw new RetryAfterError(message, retryAfterMs, { statusCode: res.status });
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const reason = res.status === 429 ? 'rate_limited' : 'server_error';
      throw new TransientError(message, { statusCode: res.status, reason });
    }
    // Other 4xx (unknown webhook, bad payload) and redirects will not fix themselves: fail now, no retries.
    throw new PermanentError(message, { statusCode: res.status, reason: 'client_error' });
  }

  return {
    send: (event, attempt) => post(content.render(event).slice(0, MAX_CONTENT), attempt),
    // A `group:` digest: one line per event in one message, cut to Discord's limit with a count of the rest.
    sendDigest: (events, attempt) => post(digest(events.map((e) => content.render(e))), attempt),
  };
}

/** The longest a single event's line may be in a digest, leaving room for the "… and N more" line. */
const MAX_LINE = MAX_CONTENT - 40;

/** One line per event within Discord's limit: whole lines while they fit, then "… and N more" for the rest. */
function digest(lines: string[]): string {
  let text = '';
  for (const [i, full] of lines.entries()) {
    const line = full.length > MAX_LINE ? `${full.slice(0, MAX_LINE - 1)}…` : full;
    const next = i === 0 ? line : `${text}\n${line}`;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n… and ${rest} more` : '';
    if (next.length + tail.length > MAX_CONTENT) return `${text}\n… and ${rest + 1} more`;
    text = next;
  }
  return text;
}

/** Milliseconds to wait, from the JSON body's `retry_after` (seconds) or the Retry-After header. */
function retryAfter(res: Response, text: string): number | undefined {
  let seconds: unknown;
  try {
    seconds = (JSON.parse(text) as { retry_after?: unknown }).retry_after;
  } catch {
    // Not JSON: fall back to the header.
  }
  if (typeof seconds === 'number' && seconds >= 0) return Math.ceil(seconds * 1000);
  return parseRetryAfter(res.headers.get('retry-after'));
}

/** The `discord` destination plugin: the default export is all the core looks at. */
export default {
  type: 'discord',
  config: DiscordOptions,
  create,
} satisfies DestinationPlugin<DiscordOptions>;
