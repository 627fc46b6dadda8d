/** Small formatting shared by the console's pages. */

/** A duration for people: `42 s`, `7 min`, `3 h 5 min`, `2 d 4 h`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** An ISO time as `2026-11-30 23:59:01.123Z`, easier to scan in a table. */
export function when(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ') : '—';
}
