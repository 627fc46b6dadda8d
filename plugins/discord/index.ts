/**
 * A sample custom destination: posts each event to a Discord channel through a webhook.
 * It imports only the plugin SDK (`switchboard/plugin-sdk`), exactly as a plugin outside this repository
 * does, so copy it freely; plugins/discord/README.md walks through it.
 */
import {
  type AttemptInfo,
  classifyHttpResponse,
  type Destination,
  type DestinationPlugin,
  deadline,
  failureForRequestError,
  type PluginContext,
  snippet,
  t,
  truncate,
} from 'switchboard/plugin-sdk';

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
  const target = `Discord at ${url.host}`;
  const secrets = [url.pathname, url.search].filter((s) => s.length > 1);

  /** Posts one message; resolves when Discord took it, throws a classified error otherwise. */
  async function post(text: string, attempt: AttemptInfo): Promise<void> {
    // Not AbortSignal.any with AbortSignal.timeout: on Node 20 a garbage collection can drop that timeout.
    const limit = deadline(attempt.signal, ctx.timeoutMs);
    let res: Response;
    let answer: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // allowed_mentions: an SMS saying "@everyone" must not ping the channel.
        body: JSON.stringify({ content: text, username: options.username, allowed_mentions: { parse: [] } }),
        redirect: 'manual',
        signal: limit.signal,
      });
      answer = res.ok ? '' : await res.text();
    } catch (err) {
      // Network errors and timeouts: transient, the queue retries with backoff.
      throw failureForRequestError(err, target, limit);
    } finally {
      limit.dispose();
    }
    // The SDK decides what a status means, as for every destination: 429 throttles the destination,
    // 408/5xx are retried, other 4xx (unknown webhook, bad payload; 401/403 as auth) fail at once.
    const failure = classifyHttpResponse(target, {
      status: res.status,
      snippet: snippet(answer, secrets),
      retryAfter: bodyRetryAfter(answer) ?? res.headers.get('retry-after'),
    });
    if (failure !== undefined) throw failure;
  }

  return {
    target,
    send: (event, attempt) => post(truncate(content.render(event), MAX_CONTENT), attempt),
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
    const line = truncate(full, MAX_LINE);
    const next = i === 0 ? line : `${text}\n${line}`;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n… and ${rest} more` : '';
    if (next.length + tail.length > MAX_CONTENT) return `${text}\n… and ${rest + 1} more`;
    text = next;
  }
  return text;
}

/** Discord's `retry_after` (seconds, may be fractional) from a 429's JSON body, as a Retry-After value. */
function bodyRetryAfter(text: string): string | undefined {
  try {
    const seconds = (JSON.parse(text) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' && seconds >= 0 ? String(seconds) : undefined;
  } catch {
    return undefined; // not JSON: the header decides
  }
}

/** The `discord` destination plugin: the default export is all the core looks at. */
export default {
  type: 'discord',
  config: DiscordOptions,
  create,
} satisfies DestinationPlugin<DiscordOptions>;
