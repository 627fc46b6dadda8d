/**
 * The `slack` destination: posts each event with a Block Kit layout, through the Web API (bot token +
 * channel, chat.postMessage) or an incoming webhook. One call per attempt; the queue owns retries.
 */
import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import type {
  Destination,
  DestinationPlugin,
  PluginContext,
  PluginLogger,
} from '../../src/destinations/api.ts';
import { deadline } from '../../src/destinations/deadline.ts';
import type { Template } from '../../src/templates/template.ts';
import { describeTarget, sendHttp, urlSecrets } from '../http/response.ts';
import { type Block, blocksFor, digestBlocks } from './blocks.ts';
import { CORE_TEXT, GENERIC_TEXT, SlackOptions } from './config.ts';
import { failureForSlackError } from './failures.ts';

/** What is posted, in either mode. */
interface SlackMessage {
  text: string;
  blocks: Block[];
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
    // A client per attempt: WebClient takes no per-call signal, and its fetch hook is how the attempt's
    // signal reaches the request. Constructing one does no I/O.
    const client = new WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: clientLogger(logger),
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          signal: init?.signal ? AbortSignal.any([limit.signal, init.signal]) : limit.signal,
        }),
    });
    try {
      await client.chat.postMessage({ channel, ...message });
    } catch (err) {
      throw failureForSlackError(err, target, limit, [token]);
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

function create(options: SlackOptions, ctx: PluginContext): Destination {
  const texts = textTemplates(options.text, ctx);
  // The codec guarantees exactly one mode: webhookUrl alone, or token with channel.
  const post =
    options.webhookUrl !== undefined
      ? viaWebhook(options.webhookUrl, ctx.timeoutMs)
      : viaWebApi(options.token!, options.channel!, options.apiUrl, ctx.timeoutMs, ctx.logger);
  const withIdentity = (message: SlackMessage): SlackMessage => ({
    ...message,
    ...(options.username !== undefined && { username: options.username }),
    ...(options.iconEmoji !== undefined && { icon_emoji: options.iconEmoji }),
  });
  return {
    async send(event, attempt) {
      await post(
        withIdentity({ text: texts(event.type).render(event), blocks: blocksFor(event) }),
        attempt.signal,
      );
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
