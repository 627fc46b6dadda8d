/**
 * The SQLite store's in-memory index of recently received bodies, for dedupe without a random B-tree page per
 * event. A dedupe key (source, body hash) kept in its own table costs one random page write per event (the keys
 * are hashes), which was about a third of the pages each group commit wrote. The event row already holds both
 * values and is written anyway, in time order; this index only remembers, for each recent body, the row that
 * holds it:
 *
 * - a miss is authoritative: nothing received within the window has this body (the index is complete from
 *   `coveredFrom` on, loaded from the event rows the first time a window reaches further back);
 * - a hit names candidate rows, which the caller confirms in the store (a rowid lookup) — a 52-bit key
 *   can collide, a row can have been pruned or rolled back, and the confirmation compares the full hash.
 *
 * It is right only while this process is the one writer of ingest to the file, which is what the SQLite store
 * is for (several instances share PostgreSQL, whose dedupe is a unique key).
 *
 * Memory: 20 bytes per slot in typed arrays (no object per entry, nothing for the GC to trace), at most
 * 2 slots per entry: about 40 MB for a million bodies in the window.
 */
export class RecentBodies {
  private keys = new Float64Array(1024);
  private rows = new Float64Array(1024);
  /** Receive time in whole seconds; 0 marks an empty slot. */
  private seconds = new Uint32Array(1024);
  private count = 0;
  /** The index is complete for bodies received at or after this time (epoch ms). */
  private coveredFrom = Number.POSITIVE_INFINITY;
  /** The longest window asked for so far, in ms: sweeps keep everything younger than this. */
  private keepMs = 0;

  /** The latest receive time added (epoch ms): sweeps keep what is younger than `keepMs` before it. */
  private latest = 0;

  /**
   * Makes the index complete for the window `windowMs` before `now` (epoch ms): when it reaches further back
   * than the index has seen, `load` is called with the missing range [from, to) and returns its rows.
   */
  cover(
    now: number,
    windowMs: number,
    load: (from: number, to: number) => Iterable<[rowid: number, key: number, at: number]>,
  ): void {
    if (windowMs > this.keepMs) this.keepMs = windowMs;
    const from = now - windowMs;
    if (from >= this.coveredFrom) return;
    const to = Number.isFinite(this.coveredFrom) ? this.coveredFrom : Number.MAX_SAFE_INTEGER;
    for (const [rowid, key, at] of load(from, to)) this.add(key, rowid, at);
    this.coveredFrom = from;
  }

  /** Remembers that row `rowid`, received at `at` (epoch ms), holds the body of `key` (bodyKey). Call cover() first. */
  add(key: number, rowid: number, at: number): void {
    if (at > this.latest) this.latest = at;
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    this.place(key, rowid, Math.max(1, Math.floor(at / 1000)));
  }

  /** The rows that may hold the body of `key` (received within the index's memory); confirm each in the store. */
  candidates(key: number): number[] {
    const mask = this.keys.length - 1;
    const found: number[] = [];
    for (let i = slotOf(key, mask); this.seconds[i] !== 0; i = (i + 1) & mask)
      if (this.keys[i] === key) found.push(this.rows[i]);
    return found;
  }

  /** How many bodies the index holds (expired ones included until the next sweep). */
  get size(): number {
    return this.count;
  }

  private place(key: number, rowid: number, seconds: number): void {
    const mask = this.keys.length - 1;
    let i = slotOf(key, mask);
    while (this.seconds[i] !== 0) i = (i + 1) & mask;
    this.keys[i] = key;
    this.rows[i] = rowid;
    this.seconds[i] = seconds;
    this.count++;
  }

  /**
   * Full at half the slots: rebuilds the table without the bodies older than the longest window (a sweep),
   * doubling it when the live ones still fill more than a quarter. Amortized O(1) per add.
   */
  private grow(): void {
    const keys = this.keys;
    const rows = this.rows;
    const seconds = this.seconds;
    const oldest = Math.floor((this.latest - this.keepMs) / 1000);
    let live = 0;
    for (let i = 0; i < seconds.length; i++) if (seconds[i] !== 0 && seconds[i] >= oldest) live++;
    const size = live * 4 > keys.length ? keys.length * 2 : keys.length;
    this.keys = new Float64Array(size);
    this.rows = new Float64Array(size);
    this.seconds = new Uint32Array(size);
    this.count = 0;
    for (let i = 0; i < seconds.length; i++)
      if (seconds[i] !== 0 && seconds[i] >= oldest) this.place(keys[i], rows[i], seconds[i]);
    // What was swept is older than every window asked for so far; a longer window later loads it again.
    this.coveredFrom = Math.max(this.coveredFrom, oldest * 1000);
  }
}

/**
 * The 52-bit key (an exact double) of a body: two 32-bit FNV-1a hashes of the source and the body hash, one
 * cut to 20 bits. Stored with each event (events.body_key), so the index loads numbers, not strings.
 */
export function bodyKey(source: string, hash: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const text of [source, '\0', hash]) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
  }
  return (b >>> 12) * 0x1_0000_0000 + (a >>> 0);
}

function slotOf(key: number, mask: number): number {
  // The low 32 bits are one FNV-1a hash: mix them once more so nearby keys spread.
  return Math.imul((key % 0x1_0000_0000) ^ Math.floor(key / 0x1_0000_0000), 0x9e3779b1) & mask;
}
