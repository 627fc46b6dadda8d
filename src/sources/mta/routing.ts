import type { Either } from 'fp-ts/lib/Either.js';
import * as E from 'fp-ts/lib/Either.js';
import { describeValue, didYouMean } from '../../config/issues.ts';
import type { GatewayEvent } from '../../event.ts';
import type { SourceField } from '../api.ts';
import { normalizePhone } from './fields/phone.ts';
import { STATUS_CODES, STATUS_NAMES, statusOf } from './status.ts';

/**
 * The fields an MTA event offers to routes (contract §2, match language), at the top level of the event where
 * templates have always found them. Status paths read the code and compare codes: a route may name a status
 * by name (any case), by code, or as UNKNOWN_<n> for codes MTA may add later.
 */

/** A status name (any case), `UNKNOWN_<n>`, or a code; normalized to the code. */
export function statusOperand(raw: unknown): Either<string, number> {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw > 0 ? E.right(raw) : E.left(`${raw} is not a delivery status code`);
  }
  if (typeof raw !== 'string')
    return E.left(`${describeValue(raw, { wording: 'not' })} is not a delivery status`);
  const name = raw.trim().toUpperCase();
  const known = STATUS_CODES.get(name);
  if (known !== undefined) return E.right(known);
  if (/^\d+$/.test(name) && Number(name) > 0) return E.right(Number(name));
  const unknown = /^UNKNOWN_(\d+)$/.exec(name);
  if (unknown) {
    const code = Number(unknown[1]);
    // UNKNOWN_4 would silently mean DELIVERED; the event itself would never be named that way.
    if (STATUS_NAMES[code] !== undefined)
      return E.left(
        `${describeValue(raw, { wording: 'not' })} names a known code; write ${STATUS_NAMES[code]}`,
      );
    return E.right(code);
  }
  return E.left(
    `${describeValue(raw, { wording: 'not' })} is not a delivery status${didYouMean(name, STATUS_CODES.keys())}`,
  );
}

/**
 * A `phone` operand as the E.164 number events carry (`"+1 (312) 555-0143"` → `"+13125550143"`), or why it could
 * never match: a number without its country code (an event's `phone` always has one, and a route does not know
 * which source's defaultCountry to read it in), or text that is no possible number. Both used to be accepted and
 * then matched nothing, silently.
 */
export function phoneOperand(raw: unknown): Either<string, string> {
  // A number YAML read out of `+13125550143` unquoted is config/route-numbers.ts's to explain, with its line.
  if (typeof raw === 'number') return E.right(String(raw));
  if (typeof raw !== 'string')
    return E.left(
      `${describeValue(raw, { wording: 'not' })} is not a phone number; quote it ("+13125550143")`,
    );
  const written = raw.trim();
  if (!/\d/.test(written))
    return E.left(`${JSON.stringify(raw)} is not a phone number; write one in E.164, e.g. "+13125550143"`);
  if (!written.startsWith('+'))
    return E.left(
      `${JSON.stringify(raw)} has no country code, and an event's phone always has one (E.164): write + and the country code first, e.g. "+13125550143"`,
    );
  const { phone } = normalizePhone(written, '1', 'e164').fields;
  return phone === undefined
    ? E.left(`${JSON.stringify(raw)} is not a possible phone number; write it in E.164, e.g. "+13125550143"`)
    : E.right(phone);
}

const scalarText = (value: unknown): string | undefined =>
  value === undefined || (typeof value === 'object' && value !== null) ? undefined : String(value);
const statusName = (value: unknown): string | undefined =>
  typeof value === 'number' ? statusOf(value).name : scalarText(value);
// Events are typed, but routing must survive whatever a decoder or a test hands it, so status is read defensively.
const statusCode = (e: GatewayEvent): number | undefined => {
  const s = e.status as { code?: unknown } | undefined;
  return typeof s?.code === 'number' ? s.code : undefined;
};
const statusFlag = (flag: 'failed' | 'final') => (e: GatewayEvent) =>
  (e.status as Record<string, unknown> | undefined)?.[flag];

/** MTA's routable fields, in the order the contract lists them. */
export const MTA_FIELDS_FOR_ROUTES: Readonly<Record<string, SourceField>> = {
  version: { kind: 'number', description: 'payload version (1, 2 or 3)' },
  status: { kind: 'number', read: statusCode, operand: statusOperand, text: statusName },
  'status.code': { kind: 'number', read: statusCode, operand: statusOperand },
  'status.name': { kind: 'number', read: statusCode, operand: statusOperand, text: statusName },
  'status.failed': { kind: 'boolean', read: statusFlag('failed') },
  'status.final': { kind: 'boolean', read: statusFlag('final') },
  phone: { kind: 'string', description: 'E.164 when known', operand: phoneOperand },
  text: { kind: 'string' },
  optInType: { kind: 'string' },
  messageId: { kind: 'number' },
  externalId: { kind: 'string' },
  senderName: { kind: 'string' },
};
