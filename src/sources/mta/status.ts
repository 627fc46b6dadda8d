import type { EventStatus } from './event.ts';

/** MTA's delivery status codes (documented), by code. */
export const STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'QUEUED',
  2: 'SENDING',
  3: 'SENT',
  4: 'DELIVERED',
  5: 'SENDING_FAILED',
  6: 'DELIVERY_FAILED',
  7: 'DELIVERY_UNCONFIRMED',
  8: 'DELIVERY_REJECTED',
  9: 'UNDELIVERED',
  10: 'INVALID_NUMBER',
  11: 'STOPPED_NUMBER',
  12: 'LANDLINE',
  13: 'SEND_REJECTED',
  14: 'QUEUEING_FAILED',
});

/** Status name → code, for rules that name a status. */
export const STATUS_CODES: ReadonlyMap<string, number> = new Map(
  Object.entries(STATUS_NAMES).map(([code, name]) => [name, Number(code)]),
);

/**
 * Classifies a code the gateway's way: 1–3 in progress, 4 delivered, 5–14 failed; 4–14 final.
 * Codes MTA may add later keep their number, are named UNKNOWN_<code>, and are neither failed nor final.
 */
export function statusOf(code: number): EventStatus {
  const name = STATUS_NAMES[code];
  if (name === undefined) return { code, name: `UNKNOWN_${code}`, failed: false, final: false };
  return { code, name, failed: code >= 5, final: code >= 4 };
}
