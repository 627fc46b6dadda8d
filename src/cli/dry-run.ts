import { isLeft } from 'fp-ts/lib/Either.js';
import type { Config, SourceConfig } from '../config/types.ts';
import type { GatewayEvent } from '../event.ts';
import { newId } from '../ids.ts';
import { parseJsonBody } from '../ingress/json.ts';
import type { RoutingDecision } from '../routing/types.ts';
import { type DecodeFailure, decodeForSource } from '../sources/decode.ts';

/** What a payload would become and where it would go, without storing or sending anything. */
export type DryRun =
  | { ok: true; event: GatewayEvent; decision: RoutingDecision }
  | { ok: false; failure: Omit<DecodeFailure, 'status'> & { status: number } };

/** Parses, decodes and routes a body exactly as ingress would (same parser, decoder and router). */
export function dryRun(
  config: Config,
  source: SourceConfig,
  urlEvent: string | undefined,
  raw: Buffer,
  headers: Record<string, string> = {},
): DryRun {
  const parsed = parseJsonBody(raw);
  if (!parsed.ok) return { ok: false, failure: { status: 400, ...parsed.error } };
  const now = Date.now();
  const decoded = decodeForSource(source, parsed.value, {
    urlEvent,
    id: newId(now),
    receivedAt: new Date(now).toISOString(),
    headers,
  });
  if (isLeft(decoded)) return { ok: false, failure: decoded.left };
  return { ok: true, event: decoded.right, decision: config.router.route(decoded.right) };
}
