/**
 * The `http` destination: POSTs each event as JSON to a URL, optionally signed with Standard Webhooks headers.
 * Sends once per attempt; the status decides the outcome (see response.ts).
 */
import {
  type AttemptInfo,
  type Destination,
  type DestinationPlugin,
  describeTarget,
  type GatewayEvent,
  httpAgent,
  PermanentError,
  type PluginContext,
  readCaFile,
  sendHttp,
  type Template,
  urlSecrets,
} from 'switchboard/plugin-sdk';
import { HTTP_DEFAULTS, HttpOptions } from './config.ts';
import { signatureHeaders, signingKey } from './signature.ts';

/** Headers whose values are not secret, so error messages need not hide them. */
const PUBLIC_HEADERS = new Set(['content-type', 'accept', 'user-agent']);

/** How the request body is made: the event, the payload as received, or a JSON template. */
type BodyMaker = (event: GatewayEvent) => string;

function bodyMaker(body: string, ctx: PluginContext): BodyMaker {
  if (body === 'event') return (event) => JSON.stringify(event);
  if (body === 'payload') return (event) => JSON.stringify(event.payload);
  const template = ctx.template('body', body, 'json');
  return (event) => {
    const text = template.render(event);
    try {
      JSON.parse(text);
    } catch {
      // The parser's message quotes the text, which may hold literal secrets from the template: leave it out.
      throw new PermanentError(
        'the body template did not render valid JSON (event values are JSON-escaped; the template supplies the quotes around them)',
        { reason: 'client_error' },
      );
    }
    return text;
  };
}

function create(options: HttpOptions, ctx: PluginContext): Destination {
  const url = new URL(options.url);
  const method = options.method ?? HTTP_DEFAULTS.method;
  const timeoutMs = options.timeout ?? ctx.timeoutMs;
  const makeBody = bodyMaker(options.body ?? HTTP_DEFAULTS.body, ctx);
  const key = options.signingSecret === undefined ? undefined : signingKey(options.signingSecret);
  const headers: Array<[string, Template]> = Object.entries(options.headers ?? {}).map(([name, source]) => [
    name,
    ctx.template(['headers', name], source, 'header'),
  ]);
  const hasContentType = headers.some(([name]) => name.toLowerCase() === 'content-type');
  const fromUrl = urlSecrets(url);
  // Read now, so `switchboard check` reports a missing or unreadable file rather than the first send.
  const dispatcher = options.ca === undefined ? undefined : httpAgent({ ca: readCaFile(options.ca, 'ca') });

  /** Sends one request; headers are rendered from `event` (the group's first for a digest). */
  async function post(event: GatewayEvent, body: string, attempt: AttemptInfo): Promise<void> {
    const rendered: Record<string, string> = hasContentType ? {} : { 'content-type': 'application/json' };
    const secrets = [...fromUrl];
    for (const [name, template] of headers) {
      rendered[name] = template.render(event);
      // The whole value and its words: a receiver may echo just the token of `Bearer <token>`.
      if (!PUBLIC_HEADERS.has(name.toLowerCase()))
        secrets.push(rendered[name], ...rendered[name].split(/\s+/));
    }
    if (key !== undefined) {
      Object.assign(rendered, signatureHeaders(key, attempt.deliveryId, Math.floor(Date.now() / 1000), body));
    }
    await sendHttp({
      url,
      method,
      headers: rendered,
      body,
      signal: attempt.signal,
      timeoutMs,
      secrets,
      dispatcher,
    });
  }

  return {
    target: describeTarget(url),
    send: async (event, attempt) => post(event, makeBody(event), attempt),
    // A digest posts {"events": [...]}: each element is what `body` makes for one event.
    sendDigest: async (events, attempt) =>
      post(events[0], `{"events":[${events.map((e) => makeBody(e)).join(',')}]}`, attempt),
  };
}

/** The built-in `http` destination plugin. */
export default { type: 'http', config: HttpOptions, create } satisfies DestinationPlugin<HttpOptions>;
