/**
 * A stand-in for Slack on 127.0.0.1 that enforces the limits Slack documents, so tests meet the pushback a
 * real workspace gives:
 * - chat.postMessage: about one message per second per channel (api.slack.com/methods/chat.postMessage,
 *   "Rate limits"); beyond it HTTP 429 with `Retry-After` in seconds (api.slack.com/apis/rate-limits).
 *   Incoming webhooks: the same, with the body `{"retry_after":1,"ok":false,"error":"rate_limited"}` seen in
 *   Alertmanager #2111.
 * - Block Kit (api.slack.com/reference/block-kit/blocks): at most 50 blocks; section text 3,000 characters;
 *   at most 10 fields of 2,000; context at most 10 elements; header plain_text 150 → `invalid_blocks`.
 *   All block text together above ~13,200 characters → `msg_blocks_too_long` (bolt-js #2509).
 * - top-level `text` above 40,000 characters → `msg_too_long`.
 * - text that is not well-formed Unicode (a lone surrogate) → `invalid_blocks` / `invalid_arguments`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw for one request. */
export interface SlackCall {
  path: string;
  channel: string | null;
  text: string;
  blocks: unknown[];
  /** The raw body bytes were valid UTF-8 and the message parsed. */
  answered: number;
  at: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why Slack would refuse this message, or undefined when it would post it. */
export function slackRefusal(text: string, blocks: unknown): string | undefined {
  if (text.length > 40_000) return 'msg_too_long';
  if (LONE_SURROGATE.test(text)) return 'invalid_arguments';
  if (!Array.isArray(blocks)) return 'invalid_blocks';
  if (blocks.length > 50) return 'invalid_blocks';
  let total = 0;
  const textObject = (o: unknown, max: number): boolean => {
    const t = o as { type?: unknown; text?: unknown };
    if (typeof t?.text !== 'string' || (t.type !== 'mrkdwn' && t.type !== 'plain_text')) return false;
    total += t.text.length;
    return t.text.length >= 1 && t.text.length <= max && !LONE_SURROGATE.test(t.text);
  };
  for (const block of blocks as Array<Record<string, unknown>>) {
    if (block.type === 'section') {
      if (block.text !== undefined && !textObject(block.text, 3000)) return 'invalid_blocks';
      if (block.fields !== undefined) {
        const fields = block.fields as unknown[];
        if (!Array.isArray(fields) || fields.length > 10) return 'invalid_blocks';
        if (!fields.every((f) => textObject(f, 2000))) return 'invalid_blocks';
      }
      if (block.text === undefined && block.fields === undefined) return 'invalid_blocks';
    } else if (block.type === 'context') {
      const elements = block.elements as unknown[];
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10) return 'invalid_blocks';
      if (!elements.every((e) => textObject(e, 3000))) return 'invalid_blocks';
    } else if (block.type === 'header') {
      if (!textObject(block.text, 150)) return 'invalid_blocks';
    } else if (block.type !== 'divider') {
      return 'invalid_blocks';
    }
  }
  if (total > 13_200) return 'msg_blocks_too_long';
  return undefined;
}

/** A running stand-in. */
export interface SlackStandIn {
  /** Base URL; the Web API is under `${url}/api/`, an incoming webhook at `${url}/services/T0/B0/secret`. */
  url: string;
  /** Every message posted (accepted or not). */
  calls: SlackCall[];
  /** How many calls were answered 429. */
  readonly rateLimited: number;
  /** Answers of status 429 in arrival order, with the time they were given. */
  limitedAt: number[];
  close(): Promise<void>;
}

/** Starts a stand-in allowing `perSecond` messages per channel per second (Slack: 1). */
export async function startSlackStandIn(options: { perSecond?: number } = {}): Promise<SlackStandIn> {
  const intervalMs = 1000 / (options.perSecond ?? 1);
  const lastAccepted = new Map<string, number>();
  const calls: SlackCall[] = [];
  const limitedAt: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const webhook = (req.url ?? '').startsWith('/services/');
      const reply = (status: number, body: object, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
        return status;
      };
      const plain = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
        return status;
      };
      let text = '';
      let blocks: unknown = [];
      let channel: string | null = null;
      let wellFormed = true;
      try {
        const body = new TextDecoder('utf-8', { fatal: true }).decode(raw);
        if (webhook) {
          const json = JSON.parse(body) as { text?: string; blocks?: unknown };
          text = json.text ?? '';
          blocks = json.blocks ?? [];
          channel = 'webhook';
        } else {
          const form = new URLSearchParams(body);
          text = form.get('text') ?? '';
          blocks = JSON.parse(form.get('blocks') ?? '[]');
          channel = form.get('channel');
        }
      } catch {
        wellFormed = false;
      }
      const call: SlackCall = { path: req.url ?? '', channel, text, blocks: [], answered: 0, at: Date.now() };
      calls.push(call);
      call.blocks = Array.isArray(blocks) ? blocks : [];
      if (!wellFormed) {
        call.answered = reply(400, { ok: false, error: 'invalid_json' });
        return;
      }
      const now = Date.now();
      const key = channel ?? '';
      const last = lastAccepted.get(key);
      if (last !== undefined && now - last < intervalMs) {
        limitedAt.push(now);
        const retryAfter = String(Math.max(1, Math.ceil((last + intervalMs - now) / 1000)));
        call.answered = reply(
          429,
          { ok: false, error: 'ratelimited', retry_after: Number(retryAfter) },
          {
            'retry-after': retryAfter,
          },
        );
        return;
      }
      const refusal = slackRefusal(text, blocks);
      if (refusal !== undefined) {
        // The Web API answers 200 with ok:false; incoming webhooks answer 400 with the code as the body.
        call.answered = webhook ? plain(400, refusal) : reply(200, { ok: false, error: refusal });
        return;
      }
      lastAccepted.set(key, now);
      call.answered = webhook
        ? plain(200, 'ok')
        : reply(200, { ok: true, channel: 'C0', ts: `${now}.000100` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    limitedAt,
    get rateLimited() {
      return limitedAt.length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
