import { Redactor } from '../observability/redact.ts';
/**
 * Keeping secrets out of what the loader prints. A secret is any value that came from `${...}` and any value
 * under a key named like a credential; issues describe such values without showing them.
 */

/** Keys whose values are secrets wherever they appear (compared case-insensitively). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'token',
  'secret',
  'secrets',
  'pass',
  'password',
  'signingsecret',
  'webhookurl',
]);

/** True when a key names a credential. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** Every scalar under a secret-named key, anywhere in the raw config tree (as strings, empty ones skipped). */
export function collectKeyedSecrets(value: unknown, underSecretKey = false, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectKeyedSecrets(item, underSecretKey, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectKeyedSecrets(v, underSecretKey || isSecretKey(k), out);
  } else if (
    underSecretKey &&
    (typeof value === 'string' || typeof value === 'number') &&
    String(value) !== ''
  ) {
    out.push(String(value));
  }
  return out;
}

/** Shortest secret that is blanked out of free-form messages; shorter ones would mangle ordinary words. */
const MIN_REDACTED_LENGTH = 4;

/** A redaction set built once per load. */
export class Secrets {
  private readonly values: ReadonlySet<string>;
  private readonly redactable: readonly string[];
  private readonly redactor: Redactor;

  constructor(values: Iterable<string>) {
    this.values = new Set([...values].filter((v) => v !== ''));
    this.redactable = [...this.values]
      .filter((v) => v.length >= MIN_REDACTED_LENGTH)
      .sort((a, b) => b.length - a.length);
    this.redactor = new Redactor(this.values, { replacement: '***', minLength: MIN_REDACTED_LENGTH });
  }

  /** The distinct secret values, longest first. */
  list(): string[] {
    return [...this.values].sort((a, b) => b.length - a.length);
  }

  /** True when the value is a secret or contains one. */
  covers(value: unknown): boolean {
    if (typeof value !== 'string' && typeof value !== 'number') return false;
    const s = String(value);
    return this.values.has(s) || this.redactable.some((secret) => s.includes(secret));
  }

  /** Replaces every secret inside a message with `***` (the safety net behind describeValue). */
  redact(message: string): string {
    return this.redactor.redact(message);
  }
}
