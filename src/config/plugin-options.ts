import type * as t from 'io-ts';
import { type KeyPath, under } from './issues.ts';
import { reportErrors } from './report.ts';
import type { Findings } from './schema.ts';
import type { Secrets } from './secrets.ts';
import { checkKeys } from './strict-keys.ts';

/**
 * Decodes a plugin's options (a source's or a destination's) with the plugin's own codec, after rejecting keys the
 * codec does not declare unless `ownsKeys` (the codec reports unknown keys itself, with a suggestion). Every issue
 * goes to `findings` under `path`; a codec that throws is reported as the plugin's failure, never a crash.
 * Answers the decoded value, or undefined when any issue was found.
 */
export function decodePluginOptions(
  codec: t.Decoder<unknown, unknown>,
  raw: Record<string, unknown>,
  opts: { path: KeyPath; who: string; ownsKeys?: boolean },
  findings: Findings,
  secrets?: Secrets,
): { value: unknown } | undefined {
  const { path } = opts;
  const strict = opts.ownsKeys ? { issues: [], value: raw } : checkKeys(codec, raw, []);
  findings.issues.push(...under(path, strict.issues));
  let result: ReturnType<typeof codec.decode>;
  try {
    result = codec.decode(strict.value);
  } catch (err) {
    const message = `${opts.who} failed while checking its options: ${(err as Error).message}`;
    findings.issues.push({ path, message: secrets ? secrets.redact(message) : message });
    return undefined;
  }
  if (result._tag === 'Left') {
    findings.issues.push(...under(path, reportErrors(result.left, secrets)));
    return undefined;
  }
  return strict.issues.length === 0 ? { value: result.right } : undefined;
}
