/**
 * Finding a secret in text in the forms it leaks in: as is, JSON-escaped, URL-encoded, hex (either case), and
 * base64 — inside `Basic base64(user:pass)`, an SMTP `AUTH PLAIN base64(\0user\0pass)` blob, or any other
 * base64 of bytes that contain it, standard and URL-safe alphabets both.
 *
 * A base64 encoding depends on where the secret starts within its 3-byte group (0, 1 or 2 bytes of something
 * else before it). For each of the three alignments we search for every character that carries a bit of the
 * secret: the ones made of the secret's bits only are known exactly; the 1-2 at either end that share their
 * six bits with unknown neighbours are matched as the set of characters that agree on the secret's bits. So
 * whatever surrounds the secret, one pattern matches and no character that tells anything about it is left.
 *
 * A Standard Webhooks secret (`whsec_<base64>`) also stands for its key: the part after the prefix, and the
 * bytes it decodes to, in all of the forms above.
 */

/** Secrets shorter than this are not searched for: `${PORT}` = 8080 is not worth mangling every line over. */
export const MIN_SECRET_LENGTH = 6;

/** Shortest encoded form searched for, in characters; shorter ones would match ordinary text by chance. */
const MIN_FORM_LENGTH = 8;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = `${BASE64.slice(0, 62)}-_`;

/**
 * One form of a secret: literal text, or a pattern (base64 at an unaligned offset) with the longest literal
 * run in it as `probe`, so the pattern runs only on text that contains the probe.
 */
export type SecretForm = { text: string } | { pattern: RegExp; probe: string; length: number };

/** The characters of the base64 of `lead` unknown bytes + `bytes` + unknown bytes up to the group's end, each
 * either exactly known or the set that agrees on the known bits; characters with no bit of `bytes` dropped. */
function base64Chars(bytes: Buffer, lead: number, alphabet: string): Array<string | string[]> {
  const groups = Math.ceil((lead + bytes.length) / 3);
  const chars: Array<string | string[]> = [];
  for (let c = 0; c < groups * 4; c++) {
    let mask = 0;
    let value = 0;
    for (let b = 0; b < 6; b++) {
      const bit = c * 6 + b;
      const byte = Math.floor(bit / 8) - lead;
      mask <<= 1;
      value <<= 1;
      if (byte < 0 || byte >= bytes.length) continue;
      mask |= 1;
      value |= (bytes[byte] >> (7 - (bit % 8))) & 1;
    }
    if (mask === 0) continue;
    const options = [...alphabet].filter((_, v) => (v & mask) === value);
    chars.push(options.length === 1 ? options[0] : options);
  }
  return chars;
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** A base64 alignment as a form: literal when every character is known, else a pattern with its probe. */
function base64Form(chars: Array<string | string[]>): SecretForm {
  if (chars.every((c) => typeof c === 'string')) return { text: chars.join('') };
  let probe = '';
  let run = '';
  for (const c of chars) {
    run = typeof c === 'string' ? run + c : '';
    if (run.length > probe.length) probe = run;
  }
  const source = chars
    .map((c) => (typeof c === 'string' ? escapeRegExp(c) : `[${c.map(escapeRegExp).join('')}]`))
    .join('');
  return { pattern: new RegExp(source, 'g'), probe, length: chars.length };
}

const formLength = (f: SecretForm) => ('text' in f ? f.text.length : f.length);
const formKey = (f: SecretForm) => ('text' in f ? `t:${f.text}` : `p:${f.pattern.source}`);

/** The literal forms of a text: as is, JSON-escaped, URL-encoded (either case of %XX, `+` or %20 for space). */
function textForms(secret: string, out: Set<string>): void {
  out.add(secret).add(JSON.stringify(secret).slice(1, -1));
  for (const encoded of [encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]) {
    out.add(encoded);
    out.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
}

/** The forms of some bytes: hex (either case) and base64 and base64url at each of the three alignments. */
function byteForms(
  bytes: Buffer,
  texts: Set<string>,
  forms: Map<string, SecretForm>,
  minFormLength = MIN_FORM_LENGTH,
): void {
  const hex = bytes.toString('hex');
  if (hex.length >= minFormLength) texts.add(hex).add(hex.toUpperCase());
  for (const alphabet of [BASE64, BASE64URL]) {
    for (let lead = 0; lead < 3; lead++) {
      const chars = base64Chars(bytes, lead, alphabet);
      if (chars.length < minFormLength) continue;
      const form = base64Form(chars);
      forms.set(formKey(form), form);
    }
  }
}

/**
 * A Standard Webhooks secret (`whsec_` + base64) is used as the key its base64 decodes to (plugins/http,
 * sources/standard-webhooks), so the key text and the key bytes are as secret as the whole value: a receiver
 * that echoes the key it was configured with shows those, never the prefix.
 */
const STANDARD_WEBHOOKS_PREFIX = 'whsec_';

/** Every form of one secret to search for, longest first; none for a secret shorter than `minLength`. */
export function secretForms(
  secret: string,
  minLength = MIN_SECRET_LENGTH,
  minFormLength = MIN_FORM_LENGTH,
): SecretForm[] {
  if (secret.length < minLength) return [];
  const texts = new Set<string>();
  const forms = new Map<string, SecretForm>();
  textForms(secret, texts);
  byteForms(Buffer.from(secret, 'utf8'), texts, forms, minFormLength);
  if (secret.startsWith(STANDARD_WEBHOOKS_PREFIX)) {
    const key = secret.slice(STANDARD_WEBHOOKS_PREFIX.length);
    if (key.length >= minLength) {
      textForms(key, texts);
      byteForms(Buffer.from(key, 'utf8'), texts, forms, minFormLength);
      byteForms(Buffer.from(key, 'base64'), texts, forms, minFormLength);
    }
  }
  for (const text of texts) if (text.length >= minLength) forms.set(`t:${text}`, { text });
  return [...forms.values()].sort((a, b) => formLength(b) - formLength(a));
}

/** How a Redactor marks what it removed, and the shortest secret it looks for. */
export interface RedactorOptions {
  /** Default `[redacted]`; config messages and MTA's API errors say `***`. */
  replacement?: string;
  /** Default MIN_SECRET_LENGTH (6). */
  minLength?: number;
  /**
   * Shortest hex or base64 form searched for, in characters; default 8. Lower only for text that is about the
   * secret (a source plugin's refusal), where matching ordinary text by chance costs little.
   */
  minFormLength?: number;
}

/** Where `form` occurs in `text`, overlapping occurrences included, as [start, end) ranges. */
function occurrences(text: string, form: SecretForm, out: Array<[number, number]>): void {
  if ('text' in form) {
    for (let i = text.indexOf(form.text); i >= 0; i = text.indexOf(form.text, i + 1))
      out.push([i, i + form.text.length]);
    return;
  }
  if (!text.includes(form.probe)) return;
  const re = form.pattern;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push([m.index, m.index + m[0].length]);
    re.lastIndex = m.index + 1;
  }
}

/**
 * The redactor for a source plugin's own text (a refusal, a decode error or note), by the source's secret list
 * (built once per config, so a reload makes new ones): such text may be about the secret, so secrets of any
 * length are searched for, and their hex and base64 forms from 4 characters.
 */
export function pluginTextRedactor(secrets: readonly string[]): Redactor {
  let r = pluginRedactors.get(secrets);
  if (r === undefined) {
    r = new Redactor(secrets, { minLength: 1, minFormLength: 4 });
    pluginRedactors.set(secrets, r);
  }
  return r;
}
const pluginRedactors = new WeakMap<readonly string[], Redactor>();

/**
 * The one redactor: replaces every form of every secret with the replacement. Build once per secret set;
 * `redact` is cheap (a substring search per form; a pattern runs only where its literal probe occurs).
 */
export class Redactor {
  private readonly forms: SecretForm[];
  private readonly replacement: string;

  constructor(secrets: Iterable<string>, options: RedactorOptions = {}) {
    this.replacement = options.replacement ?? '[redacted]';
    const minLength = options.minLength ?? MIN_SECRET_LENGTH;
    const forms = new Map<string, SecretForm>();
    for (const s of secrets)
      for (const f of secretForms(s, minLength, options.minFormLength)) forms.set(formKey(f), f);
    this.forms = [...forms.values()];
  }

  /** True when there is nothing to look for. */
  get empty(): boolean {
    return this.forms.length === 0;
  }

  /**
   * The text with every occurrence of every form replaced. Occurrences are found in the original text and
   * overlapping or touching ones merged into one replacement, so a secret repeated around itself (or a
   * pattern that also matches a little early) never leaves a piece of the secret between two replacements.
   */
  redact(text: string): string {
    const ranges: Array<[number, number]> = [];
    for (const form of this.forms) occurrences(text, form, ranges);
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let at = 0;
    let [start, end] = ranges[0];
    for (const [s, e] of ranges) {
      if (s <= end) {
        end = Math.max(end, e);
        continue;
      }
      out += text.slice(at, start) + this.replacement;
      at = end;
      [start, end] = [s, e];
    }
    return out + text.slice(at, start) + this.replacement + text.slice(end);
  }
}

/** A Redactor for a list of secrets that changes on reload: rebuilt only when the list itself changes. */
export function redactorFor(secrets: () => readonly string[]): (text: string) => string {
  let last: readonly string[] | undefined;
  let current = new Redactor([]);
  return (text) => {
    const now = secrets();
    if (now !== last) {
      last = now;
      current = new Redactor(now);
    }
    return current.redact(text);
  };
}
