import * as E from 'fp-ts/Either';
import { parse } from 'yaml';
import type { GatewayEvent } from '../../src/event.ts';
import { buildRouter } from '../../src/routing/build.ts';
import { catalogOf } from '../../src/routing/catalog.ts';
import { compileMatch, type Matcher } from '../../src/routing/match.ts';
import type { Router } from '../../src/routing/types.ts';
import mtaSource from '../../src/sources/mta/index.ts';
import { statusOf } from '../../src/sources/mta/status.ts';

/** What routes may name when the one configured source is MTA. */
export const CATALOG = catalogOf([mtaSource as never]);

/** A hand-built event: a v3 delivery status unless the fields say otherwise. */
export function event(fields: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    id: '01JDX0000000000000000000AA',
    source: 'mta',
    type: 'delivery-status',
    version: 3,
    receivedAt: '2026-11-28T14:03:12.000Z',
    tags: {},
    payload: {},
    ...fields,
  };
}

/** A delivery-status event with the given status code. */
export function delivery(code: number, fields: Partial<GatewayEvent> = {}): GatewayEvent {
  return event({
    type: 'delivery-status',
    status: statusOf(code),
    phone: '+13125550143',
    messageId: 880012347,
    ...fields,
  });
}

/** A message-reply event (it has no status). */
export function reply(text: string, fields: Partial<GatewayEvent> = {}): GatewayEvent {
  return event({ type: 'message-reply', text, phone: '+13125550143', ...fields });
}

/** Config written as YAML in a test, parsed the way the config loader parses it. */
export function yaml(source: string): unknown {
  return parse(source);
}

/** Compiles a match written as YAML; a test with a bad match is itself broken, so it throws. */
export function matcher(source: string): Matcher {
  const built = compileMatch(yaml(source), CATALOG);
  if (E.isLeft(built)) throw new Error(`test match does not build: ${JSON.stringify(built.left)}`);
  return built.right;
}

/** Builds a router from routes written as YAML, against the contract example's destinations. */
export function router(source: string, destinations = DESTINATIONS): Router {
  const built = buildRouter(yaml(source), destinations, CATALOG);
  if (E.isLeft(built)) throw new Error(`test routes do not build: ${JSON.stringify(built.left)}`);
  return built.right;
}

/** The destinations of the contract's example config. */
export const DESTINATIONS: ReadonlySet<string> = new Set(['ops-slack', 'support-mail', 'crm', 'audit']);
