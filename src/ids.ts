import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID specifies

let lastTime = -1;
/** The time part of ids made in `lastTime`'s millisecond. */
let lastTimePart = '';
/** The random part of the last id, one base32 digit (0–31) per character. */
const lastRandom = new Uint8Array(16);

/**
 * A ULID: 26 characters, sorts by creation time, monotonic within the same millisecond in this process.
 * Used for event, delivery, attempt and rejected-payload ids.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same millisecond (or a clock step back): increment the previous random part instead of drawing anew.
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      if (lastRandom[i] < 31) {
        lastRandom[i]++;
        break;
      }
      lastRandom[i] = 0;
    }
  } else {
    randomFillSync(lastRandom);
    for (let i = 0; i < lastRandom.length; i++) lastRandom[i] &= 31;
    lastTime = now;
    lastTimePart = timePart(now);
  }
  let id = lastTimePart;
  for (let i = 0; i < lastRandom.length; i++) id += ALPHABET[lastRandom[i]];
  return id;
}

/** The 10-character time part of a ULID: milliseconds since the epoch in base32. */
function timePart(ms: number): string {
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  return time;
}
