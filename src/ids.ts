import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID specifies

/**
 * A ULID: 26 characters, sorts by creation time, monotonic within the same millisecond in this process.
 * Used for event, delivery, attempt and rejected-payload ids.
 */
export const newId: (now?: number) => string = ulids();

/**
 * A ULID generator with its own state: each id sorts after the one before, also within one millisecond (the
 * random part is incremented) and after a clock step back (the last time is kept). `newId` is this process's.
 */
export function ulids(): (now?: number) => string {
  let lastTime = -1;
  /** The time part of ids made in `lastTime`'s millisecond. */
  let lastTimePart = '';
  /** The random part of the last id, one base32 digit (0–31) per character. */
  const random = new Uint8Array(16);
  return (now = Date.now()) => {
    if (now <= lastTime) {
      for (let i = random.length - 1; i >= 0; i--) {
        if (random[i] < 31) {
          random[i]++;
          break;
        }
        random[i] = 0;
      }
    } else {
      if (poolAt === POOL.length) {
        randomFillSync(POOL);
        poolAt = 0;
      }
      for (let i = 0; i < random.length; i++) random[i] = POOL[poolAt++] & 31;
      lastTime = now;
      lastTimePart = timePart(now);
    }
    let id = lastTimePart;
    for (let i = 0; i < random.length; i++) id += ALPHABET[random[i]];
    return id;
  };
}

/** Random bytes drawn 4 KB at a time (one call per 256 ids instead of one per id); shared by every generator. */
const POOL = new Uint8Array(4096);
let poolAt = POOL.length;

/** The 10-character time part of a ULID: milliseconds since the epoch in base32. */
function timePart(ms: number): string {
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  return time;
}
