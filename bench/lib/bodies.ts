import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from '../../src/ingress/signature.ts';
import { ROOT } from './paths.ts';

/** The four MTA V3 event types, weighted as a delivery-heavy account sees them (statuses dominate). */
const MIX: Array<[string, number]> = [
  ['delivery-status', 60],
  ['message-send', 25],
  ['message-reply', 10],
  ['number-opt-in', 5],
];

const FIXTURES = new Map(
  MIX.map(([type]) => [
    type,
    JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3', `${type}.json`), 'utf8')) as Record<
      string,
      unknown
    >,
  ]),
);

/** A 100-slot wheel of event types in the mix's proportions, interleaved so any window is representative. */
const WHEEL: string[] = (() => {
  const out: string[] = [];
  const credit = new Map(MIX.map(([t]) => [t, 0]));
  for (let i = 0; i < 100; i++) {
    for (const [t, w] of MIX) credit.set(t, credit.get(t)! + w);
    let best = MIX[0][0];
    for (const [t] of MIX) if (credit.get(t)! > credit.get(best)!) best = t;
    credit.set(best, credit.get(best)! - 100);
    out.push(best);
  }
  return out;
})();

/** One signed request body. */
export interface SignedBody {
  body: string;
  signature: string;
  type: string;
}

/**
 * Makes unique, signed V3 bodies (a realistic mix of the four types). Each body differs from every other one
 * made by any generator with another `salt` (messageId / replyId and the timestamp vary), so the gateway's
 * dedupe never answers `duplicate: true`.
 */
export class BodyFactory {
  private n = 0;
  private readonly base: number;

  constructor(
    readonly secret: string,
    salt = Math.floor(Math.random() * 1e6),
  ) {
    // Distinct ranges per factory: 1e8 ids of headroom each (ids stay safe integers).
    this.base = (1 + (salt % 1_000_000)) * 100_000_000;
  }

  /** The unsigned object for body number `i` (exported for the store pre-fill). */
  payload(i: number): Record<string, unknown> {
    const type = WHEEL[i % WHEEL.length];
    const p: Record<string, unknown> = { ...FIXTURES.get(type)! };
    const uniq = this.base + i;
    if ('messageId' in p) p.messageId = uniq;
    if ('replyId' in p) p.replyId = uniq;
    p.timestamp = new Date(Date.UTC(2026, 0, 1) + (uniq % 1e12)).toISOString();
    return p;
  }

  next(): SignedBody {
    const i = this.n++;
    const p = this.payload(i);
    const body = JSON.stringify(p);
    return { body, signature: sign(this.secret, body), type: p.type as string };
  }

  get made(): number {
    return this.n;
  }
}
