import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from '../../src/ingress/signature.ts';
import { ROOT } from '../helpers/tmp.ts';

const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));

/** How a stream of webhooks went: counts by answer, the ids acknowledged, and the longest wait for an answer. */
export interface StreamFigures {
  sent: number;
  acked: Set<string>;
  unavailable: number;
  /** Answers other than 200 and 503, by status (0: no answer at all). */
  other: Map<number, number>;
  longestMs: number;
}

/**
 * A steady stream of signed, distinct MTA webhooks (a reply each) at about `perSecond`, as MTA sends them,
 * until `stop()`. Each request waits at most `giveUpMs` for an answer (a hang shows as status 0).
 */
export class WebhookStream {
  readonly figures: StreamFigures = {
    sent: 0,
    acked: new Set(),
    unavailable: 0,
    other: new Map(),
    longestMs: 0,
  };
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly perSecond: number,
    private readonly giveUpMs = 30_000,
  ) {}

  /** Starts sending (every 20 ms, perSecond / 50 requests; at most 400 unanswered at once). */
  start(): this {
    const perTick = Math.max(1, Math.round(this.perSecond / 50));
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick && this.inFlight.size < 400; i++) {
        const p = this.one().finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }, 20);
    return this;
  }

  /** Stops sending and waits for every answer. */
  async stop(): Promise<StreamFigures> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    return this.figures;
  }

  /** Answers acknowledged so far (for waiting on progress). */
  get ackedCount(): number {
    return this.figures.acked.size;
  }

  private async one(): Promise<void> {
    const n = ++this.seq;
    const text = JSON.stringify({
      ...base,
      replyId: 1_000_000 + n,
      message: `fault stream ${n} ${Date.now()}`,
    });
    this.figures.sent++;
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(`${this.url}/webhooks/mta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': sign(this.secret, text) },
        body: text,
        signal: AbortSignal.timeout(this.giveUpMs),
      });
      status = res.status;
      const json = (await res.json()) as { id?: string };
      if (status === 200 && json.id) this.figures.acked.add(json.id);
    } catch {
      status = 0;
    }
    this.figures.longestMs = Math.max(this.figures.longestMs, performance.now() - started);
    if (status === 503) this.figures.unavailable++;
    else if (status !== 200) this.figures.other.set(status, (this.figures.other.get(status) ?? 0) + 1);
  }
}

/** Resolves when `check` holds, looking every 100 ms; rejects after `timeoutMs` naming `what`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
