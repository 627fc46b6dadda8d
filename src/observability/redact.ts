/**
 * Finding a secret in text in the forms it leaks in: as is, JSON-escaped, URL-encoded, and base64 — inside
 * `Basic base64(user:pass)`, an SMTP `AUTH PLAIN base64(\0user\0pass)` blob, or any other base64 of bytes that
 * contain it. A base64 encoding depends on where the secret starts within its 3-byte group, so for each of the
 * three alignments we search for the encoding of the secret's bytes that fill whole groups (dropping the 0-2
 * bytes at either end that share a group with unknown neighbours): whatever surrounds it, one of the three
 * appears verbatim in the encoded text. Standard and URL-safe alphabets both.
 */

/** Secrets shorter than this are not searched for: `${PORT}` = 8080 is not worth mangling every line over. */
export const MIN_SECRET_LENGTH = 6;

/** Shortest encoded fragment searched for; shorter ones would match ordinary text by chance. */
const MIN_FORM_LENGTH = 8;

/** Every form of one secret to search for, longest first. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1)]);
  for (const encoded of [encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]) {
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  const bytes = Buffer.from(secret, 'utf8');
  for (let skip = 0; skip < 3; skip++) {
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    const b64 = whole.toString('base64');
    if (b64.length < MIN_FORM_LENGTH) continue;
    forms.add(b64);
    forms.add(whole.toString('base64url'));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Replaces every form of every secret with `replacement`. Build once per secret set; `redact` is cheap. */
export class Redactor {
  private readonly forms: string[];

  constructor(
    secrets: Iterable<string>,
    private readonly replacement = '[redacted]',
  ) {
    this.forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  }

  /** True when there is nothing to look for. */
  get empty(): boolean {
    return this.forms.length === 0;
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(this.replacement);
    return out;
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
