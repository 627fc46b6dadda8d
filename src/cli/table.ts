import { escapeControl } from '../control-text.ts';

/** Stored free text (pause comments, error reasons, message fields) as printed by every CLI printer. */
export const shown = (text: string): string => escapeControl(text);

/**
 * Lays rows out in columns two spaces apart, the last column unpadded. The first row is the header. Control
 * characters in cells are escaped (`shown`): a cell is free text from the store and must not drive the terminal.
 */
export function table(given: string[][]): string[] {
  const rows = given.map((r) => r.map((cell) => shown(cell ?? '')));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/** `3m ago`, `2h 5m ago`: how long before `now` an ISO time was. */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}
