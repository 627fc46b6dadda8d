/**
 * The `slack` destination: posts each event with a Block Kit layout, through the Web API (bot token +
 * channel, chat.postMessage) or an incoming webhook. One call per attempt; the queue owns retries.
 */
import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import {
  type Destination,
  type DestinationPlugin,
  deadline,
  describeTarget,
  type GatewayEvent,
  PermanentError,
  type PluginContext,
  type PluginLogger,
  sendHttp,
  type Template,
  urlSecrets,
} from 'switchboard/plugin-sdk';
import { blocksFor, digestBlocks } from './blocks.ts';
import { CORE_TEXT, GENERIC_TEXT, SlackOptions } from './config.ts';
import { failureForSlackError } from './failures.ts';
import { fitBlocks, fitText } from './limits.ts';

/** What is posted, in either mode. */
interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
  username?: string;
  icon_emoji?: string;
}

/** Posts one message; throws a classified error on failure. */
type Post = (message: SlackMessage, signal: AbortSignal) => Promise<void>;

/**
 * The `text` template per event type: the configured one for all, else the layout the event's source declares
 * for Slack (MTA's per-type texts), else a generic line that names the type and the source.
 */
function textTemplates(text: string | undefined, ctx: PluginContext): (type: string) => Template {
  if (text !== undefined) {
    const one = ctx.template('text', text, 'slack');
    return () => one;
  }
  const byType = new Map<string, Template>();
  for (const [type, layout] of Object.entries({ ...ctx.layouts?.('slack'), ...CORE_TEXT })) {
    if (layout.text !== undefined) byType.set(type, ctx.template('text', layout.text, 'slack'));
  }
  const generic = ctx.template('text', GENERIC_TEXT, 'slack');
  return (type) => byType.get(type) ?? generic;
}

/**
 * WebClient's own chatter goes to our debug level: the outcome of every call is reported once, by the queue,
 * from what send throws.
 */
function clientLogger(logger: PluginLogger): Logger {
  const debug = (...msg: unknown[]) => logger.debug({ slack: msg.map(String).join(' ') });
  return {
    debug: () => {},
    info: () => {},
    warn: debug,
    error: debug,
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

function viaWebApi(
  token: string,
  channel: string,
  apiUrl: string | undefined,
  timeoutMs: number,
  logger: PluginLogger,
): Post {
  const target = describeTarget(new URL(apiUrl ?? 'https://slack.com/api/'));
  return async (message, signal) => {
    const limit = deadline(signal, timeoutMs);
    // The answer's Retry-After as sent: WebClient reads it with parseInt, so an HTTP date was lost.
    let retryAfter: string | null = null;
    // A client per attempt: WebClient takes no per-call signal, and its fetch hook is how the attempt's
    // signal reaches the request. Constructing one does no I/O.
    const client = new WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: clientLogger(logger),
      fetch: async (url, init) => {
        const response = await fetch(url, {
          ...init,
          // WebClient asks fetch to fail on a redirect, which read as "could not reach" and was retried for a
          // day; the redirect itself comes back as an HTTP error, classified as every plugin's (permanent).
          redirect: 'manual',
          signal: init?.signal ? AbortSignal.any([limit.signal, init.signal]) : limit.signal,
        });
        retryAfter = response.headers.get('retry-after');
        return response;
      },
    });
    try {
      await client.chat.postMessage({ channel, ...message });
    } catch (err) {
      throw failureForSlackError(err, target, limit, [token], retryAfter);
    } finally {
      limit.dispose();
    }
  };
}

function viaWebhook(webhookUrl: string, timeoutMs: number): Post {
  const url = new URL(webhookUrl);
  const secrets = [webhookUrl, ...urlSecrets(url)];
  return (message, signal) =>
    sendHttp({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal,
      timeoutMs,
      secrets,
    });
}

/** Renders the `blocks` template for one event into a list of blocks; anything else is a permanent failure. */
function renderBlocks(template: Template, event: GatewayEvent): Array<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template.render(event));
  } catch {
    // The parser's message quotes the text, which may hold literal secrets from the template: leave it out.
    throw new PermanentError(
      'the blocks template did not render valid JSON (event values are JSON-escaped; the template supplies the quotes around them)',
      { reason: 'client_error' },
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { blocks?: unknown } | null)?.blocks;
  if (!Array.isArray(list) || !list.every((b) => typeof b === 'object' && b !== null && !Array.isArray(b))) {
    throw new PermanentError(
      'the blocks template must render a JSON array of blocks (or {"blocks": [...]})',
      {
        reason: 'client_error',
      },
    );
  }
  return list as Array<Record<string, unknown>>;
}

function create(options: SlackOptions, ctx: PluginContext): Destination {
  const texts = textTemplates(options.text, ctx);
  const blocksTemplate =
    options.blocks === undefined ? undefined : ctx.template('blocks', options.blocks, 'slack-json');
  // The codec guarantees exactly one mode: webhookUrl alone, or token with channel.
  const post =
    options.webhookUrl !== undefined
      ? viaWebhook(options.webhookUrl, ctx.timeoutMs)
      : viaWebApi(options.token!, options.channel!, options.apiUrl, ctx.timeoutMs, ctx.logger);
  // Every message is made to fit Slack's limits here, whatever made it: the layout, a template, a digest.
  const withIdentity = (message: SlackMessage): SlackMessage => ({
    text: fitText(message.text),
    blocks: fitBlocks(message.blocks),
    ...(options.username !== undefined && { username: options.username }),
    ...(options.iconEmoji !== undefined && { icon_emoji: options.iconEmoji }),
  });
  return {
    // The webhook URL is a secret: its host only.
    target:
      options.webhookUrl !== undefined
        ? `Slack at ${new URL(options.webhookUrl).host}`
        : describeTarget(new URL(options.apiUrl ?? 'https://slack.com/api/')),
    async send(event, attempt) {
      const text = texts(event.type).render(event);
      const blocks =
        blocksTemplate !== undefined
          ? renderBlocks(blocksTemplate, event)
          : blocksFor(event, options.text !== undefined ? text : undefined);
      await post(withIdentity({ text, blocks }), attempt.signal);
    },
    async sendDigest(events, attempt) {
      const lines = events.map((e) => texts(e.type).render(e));
      await post(
        withIdentity({ text: `${events.length} events`, blocks: digestBlocks(lines) }),
        attempt.signal,
      );
    },
  };
}

/** The built-in `slack` destination plugin. */
export default { type: 'slack', config: SlackOptions, create } satisfies DestinationPlugin<SlackOptions>;
