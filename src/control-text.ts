/**
 * Control characters in free text people typed or providers sent (pause comments, error reasons, message text):
 * ANSI escape sequences, carriage returns and the bell rewrite or disrupt a terminal when printed as they are.
 * C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F) count, and the bidirectional embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what the rest of the line shows (CVE-2021-42574,
 * "Trojan Source"). The marks (U+200E, U+200F) stay: right-to-left text needs them and they override nothing.
 */
function isControl(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Whether `text` holds a control character other than tab and newline. */
export function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c) && c !== 0x09 && c !== 0x0a) return true;
  }
  return false;
}

const NAMED: Readonly<Record<number, string>> = { 9: '\\t', 10: '\\n', 13: '\\r' };

/**
 * `text` safe to print on one terminal line: each control character (tab and newline included) becomes a
 * visible escape (`\n`, `\r`, `\t`, `\x1b`, `\u202e`), the rest is unchanged.
 */
export function escapeControl(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isControl(c)) out += text[i];
    else out += NAMED[c] ?? (c > 0xff ? `\\u${c.toString(16)}` : `\\x${c.toString(16).padStart(2, '0')}`);
  }
  return out;
}
