import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Either } from 'fp-ts/lib/Either.js';
import type { DecodeFailure } from '../../../src/sources/api.ts';
import { type DecodeOptions, decodeMta } from '../../../src/sources/mta/decode.ts';
import type { EventType, MtaEvent as GatewayEvent } from '../../../src/sources/mta/event.ts';

/** The options every test decodes with unless it says otherwise. */
export const OPTIONS: DecodeOptions = {
  source: 'mta',
  version: 3,
  defaultCountry: '1',
  id: '01JDTEST000000000000000000',
  receivedAt: '2026-11-28T14:30:00.000Z',
};

/** A fixture body, parsed fresh with JSON.parse as ingress would. */
export function fixture(version: 1 | 2 | 3, type: EventType): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/mta/v${version}/${type}.json`, import.meta.url), 'utf8'),
  );
}

/** Decodes with the test options, overridden as given. */
export function decode(
  body: unknown,
  opts: Partial<DecodeOptions> = {},
): Either<DecodeFailure, GatewayEvent> {
  return decodeMta(body, { ...OPTIONS, ...opts });
}

/** The event, failing the test with the decode error when there is none. */
export function decoded(body: unknown, opts: Partial<DecodeOptions> = {}): GatewayEvent {
  const result = decode(body, opts);
  if (result._tag === 'Left') expect.fail(`expected an event, got ${JSON.stringify(result.left)}`);
  return result.right;
}

/** The decode error, failing the test when the body decoded. */
export function rejected(body: unknown, opts: Partial<DecodeOptions> = {}): DecodeFailure {
  const result = decode(body, opts);
  if (result._tag === 'Right') expect.fail(`expected a decode error, got ${JSON.stringify(result.right)}`);
  return result.left;
}
